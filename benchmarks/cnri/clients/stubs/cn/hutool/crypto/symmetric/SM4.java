package cn.hutool.crypto.symmetric;
import cn.hutool.crypto.*;
public class SM4 {
    public SM4(Mode mode, Padding padding, byte[] key, byte[] iv) { throw Stub.absent(); }
    public byte[] encrypt(byte[] data) { throw Stub.absent(); }
    public byte[] decrypt(byte[] data) { throw Stub.absent(); }
}
