package cn.hutool.crypto;
public enum Mode { CBC, ECB }
