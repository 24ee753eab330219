package cn.hutool.crypto;
public final class KeyUtil {
    public static java.security.PublicKey generatePublicKey(String algorithm, byte[] key) { throw Stub.absent(); }
    public static java.security.PublicKey generatePublicKey(String algorithm, java.security.spec.KeySpec spec) { throw Stub.absent(); }
}
