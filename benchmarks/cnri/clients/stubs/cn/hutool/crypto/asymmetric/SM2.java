package cn.hutool.crypto.asymmetric;
import cn.hutool.crypto.Stub;
public class SM2 {
    public SM2(java.security.PrivateKey privateKey, java.security.PublicKey publicKey) { throw Stub.absent(); }
    public byte[] decrypt(byte[] data) { throw Stub.absent(); }
    public byte[] sign(byte[] data) { throw Stub.absent(); }
    public boolean verify(byte[] data, byte[] sign) { throw Stub.absent(); }
    public String signHex(String dataHex, String idHex) { throw Stub.absent(); }
}
