package cn.hutool.crypto;
/** Compile-time stand-in for hutool-crypto (not packaged in Debian): the SM2/SM3/SM4 paths of id-pointer-sdk fail at run time. */
public final class Stub {
    public static UnsupportedOperationException absent() { return new UnsupportedOperationException("hutool-crypto is stubbed in this build (SM2/SM3/SM4 unavailable)"); }
}
