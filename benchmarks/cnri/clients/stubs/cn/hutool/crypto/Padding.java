package cn.hutool.crypto;
public enum Padding { PKCS5Padding, NoPadding }
