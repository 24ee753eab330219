package com.auth0.jwt.algorithms;
/** Compile-time stand-in for com.auth0:java-jwt (not packaged in Debian). */
public abstract class Algorithm {
    public static Algorithm RSA256(java.security.interfaces.RSAPublicKey publicKey, java.security.interfaces.RSAPrivateKey privateKey) { throw cn.hutool.crypto.Stub.absent(); }
}
