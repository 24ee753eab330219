package cn.hutool.core.util;
public final class HexUtil {
    public static String encodeHexStr(byte[] data) { throw cn.hutool.crypto.Stub.absent(); }
    public static byte[] decodeHex(String hex) { throw cn.hutool.crypto.Stub.absent(); }
}
