package cn.hutool.crypto;
public final class SecureUtil {
    public static java.security.PrivateKey generatePrivateKey(String algorithm, byte[] key) { throw Stub.absent(); }
    public static java.security.PublicKey generatePublicKey(String algorithm, byte[] key) { throw Stub.absent(); }
    public static java.security.KeyPair generateKeyPair(String algorithm) { throw Stub.absent(); }
}
