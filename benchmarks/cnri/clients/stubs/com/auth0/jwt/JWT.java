package com.auth0.jwt;
public final class JWT {
    public static Builder create() { throw cn.hutool.crypto.Stub.absent(); }
    public static final class Builder {
        public Builder withClaim(String name, Object value) { return this; }
        public Builder withClaim(String name, Integer value) { return this; }
        public Builder withClaim(String name, Long value) { return this; }
        public Builder withClaim(String name, String value) { return this; }
        public String sign(com.auth0.jwt.algorithms.Algorithm algorithm) { throw cn.hutool.crypto.Stub.absent(); }
    }
}
