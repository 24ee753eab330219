// CnriResolve: one resolution with CNRI's own client library (net.handle.hdllib.HandleResolver, Handle.Net 9), sent to
// HOST:PORT and nowhere else: the site is built by hand, so no global root is asked for anything.
//
// usage: CnriResolve HOST PORT udp|tcp HANDLE [--type T]... [--index N]... [--no-rec] [--certify] [--digest]
//                    [--authoritative] [--all-values] [--dnrf] [--site-version 2.10] [--direct] [--hex]
//   (default)          HandleResolver.sendRequestToSite(request, site, protocol): what HandleResolver does once it knows
//                      the site (the request takes the site's serial number and protocol version, here 2.10 as CNRI 9
//                      writes it into siteinfo)
//   --direct           HandleResolver.sendHdlUdpRequest / sendHdlTcpRequest to the address: the request keeps the
//                      library's defaults (envelope version 2.3, suggesting 2.10; site serial -1)
//   --no-rec           clear the REC flag (CNRI sets it on every request by default: AbstractMessage.recursive = true)
//   --certify          set CT (the server then signs; the signature is not checked, the site has no key here)
//   --digest           set RD (the answer carries a digest of the request, which HandleResolver verifies)
//   --all-values       clear PO (ignoreRestrictedValues, on by default) and ask for non-public values too
//   --hex              print the request and response messages (header+body+credential, no envelope) in hex
// Exit status: 0 on RC 1 (success), 3 on any other response code, 2 on a client-side error.
import net.handle.hdllib.*;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

public class CnriResolve {
    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: CnriResolve HOST PORT udp|tcp HANDLE [--type T]... [--index N]... [--no-rec] [--certify] [--digest] [--authoritative] [--all-values] [--dnrf] [--site-version M.m] [--direct] [--hex]");
            System.exit(2);
        }
        InetAddress host = InetAddress.getByName(args[0]);
        int port = Integer.parseInt(args[1]);
        boolean udp = args[2].equalsIgnoreCase("udp");
        if (!udp && !args[2].equalsIgnoreCase("tcp")) throw new IllegalArgumentException("protocol must be udp or tcp");
        String handle = args[3];
        List<String> types = new ArrayList<>();
        List<Integer> indexes = new ArrayList<>();
        boolean rec = true, certify = false, digest = false, authoritative = false, publicOnly = true, dnrf = false, direct = false, hex = false;
        String siteVersion = "2.10";
        for (int i = 4; i < args.length; i++) {
            switch (args[i]) {
                case "--type": types.add(args[++i]); break;
                case "--index": indexes.add(Integer.parseInt(args[++i])); break;
                case "--no-rec": rec = false; break;
                case "--certify": certify = true; break;
                case "--digest": digest = true; break;
                case "--authoritative": authoritative = true; break;
                case "--all-values": publicOnly = false; break;
                case "--dnrf": dnrf = true; break;
                case "--site-version": siteVersion = args[++i]; break;
                case "--direct": direct = true; break;
                case "--hex": hex = true; break;
                default: throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }

        HandleResolver resolver = new HandleResolver();
        resolver.getConfiguration().setAutoUpdateRootInfo(false); // never refresh root info from the global root
        resolver.setCheckSignatures(false);
        resolver.setTcpTimeout(10000);
        resolver.setUdpRetryScheme(new int[] { 2000, 3000 });

        byte[][] typeBytes = types.isEmpty() ? null : types.stream().map(Util::encodeString).toArray(byte[][]::new);
        int[] indexList = indexes.isEmpty() ? null : indexes.stream().mapToInt(Integer::intValue).toArray();
        ResolutionRequest req = new ResolutionRequest(Util.encodeString(handle), typeBytes, indexList, null);
        req.recursive = rec;
        req.certify = certify;
        req.returnRequestDigest = digest;
        req.authoritative = authoritative;
        req.ignoreRestrictedValues = publicOnly;
        req.doNotRefer = dnrf;

        AbstractResponse resp;
        try {
            if (direct) {
                resp = udp ? resolver.sendHdlUdpRequest(req, host, port) : resolver.sendHdlTcpRequest(req, host, port);
            } else {
                SiteInfo site = site(host, port, siteVersion);
                resp = resolver.sendRequestToSite(req, site, udp ? Interface.SP_HDL_UDP : Interface.SP_HDL_TCP);
            }
        } catch (HandleException e) {
            System.out.println("client error: " + e);
            System.exit(2);
            return;
        }
        if (hex) {
            System.out.println("request:  " + Util.decodeHexString(req.getEncodedMessage(), false));
            System.out.println("response: " + Util.decodeHexString(resp.getEncodedMessage(), false));
        }
        print(req, resp);
        System.exit(resp.responseCode == AbstractMessage.RC_SUCCESS ? 0 : 3);
    }

    /** A site of one server at host:port, UDP and TCP, query+admin: what a siteinfo record for it would say. */
    static SiteInfo site(InetAddress host, int port, String version) {
        SiteInfo site = new SiteInfo();
        site.serialNumber = 1;
        site.isPrimary = true;
        String[] v = version.split("\\.");
        site.majorProtocolVersion = Byte.parseByte(v[0]);
        site.minorProtocolVersion = Byte.parseByte(v[1]);
        ServerInfo server = new ServerInfo();
        server.serverId = 1;
        server.ipAddress = new byte[16];
        byte[] a = host.getAddress();
        System.arraycopy(a, 0, server.ipAddress, 16 - a.length, a.length);
        server.interfaces = new Interface[] { new Interface(Interface.ST_ADMIN_AND_QUERY, Interface.SP_HDL_TCP, port), new Interface(Interface.ST_QUERY, Interface.SP_HDL_UDP, port) };
        site.servers = new ServerInfo[] { server };
        site.attributes = new Attribute[0];
        return site;
    }

    static void print(AbstractRequest req, AbstractResponse resp) throws HandleException {
        System.out.println("request:  id=" + req.requestId + " version=" + req.majorProtocolVersion + "." + req.minorProtocolVersion + " (suggests " + req.suggestMajorProtocolVersion + "." + req.suggestMinorProtocolVersion + ")"
            + " flags=" + flags(req));
        System.out.println("response: code=" + resp.responseCode + " (" + AbstractMessage.getResponseCodeMessage(resp.responseCode) + ") id=" + resp.requestId + " version=" + resp.majorProtocolVersion + "."
            + resp.minorProtocolVersion + " (suggests " + resp.suggestMajorProtocolVersion + "." + resp.suggestMinorProtocolVersion + ") flags=" + flags(resp) + " siteSerial=" + resp.siteInfoSerial
            + " expiration=" + resp.expiration + (resp.requestDigest != null ? " digest(alg " + resp.rdHashType + ")=" + Util.decodeHexString(resp.requestDigest, false) : ""));
        if (resp instanceof ResolutionResponse) {
            ResolutionResponse r = (ResolutionResponse) resp;
            System.out.println("handle:   " + Util.decodeString(r.handle));
            for (HandleValue v : r.getHandleValues()) {
                System.out.println("  " + v.getIndex() + " " + v.getTypeAsString() + " " + (v.hasType(Common.STD_TYPE_HSSITE) || v.hasType(Common.STD_TYPE_HSADMIN) || v.hasType(Common.STD_TYPE_HSPUBKEY) ? "(" + v.getData().length + " bytes) " + v.toString() : v.getDataAsString())
                    + " ttl=" + v.getTTL() + " ts=" + v.getTimestamp() + " perms=" + (v.getAdminCanRead() ? "r" : "-") + (v.getAdminCanWrite() ? "w" : "-") + (v.getAnyoneCanRead() ? "r" : "-") + (v.getAnyoneCanWrite() ? "w" : "-"));
            }
        } else if (resp instanceof ErrorResponse) {
            byte[] m = ((ErrorResponse) resp).message;
            System.out.println("message:  " + (m == null ? "(null)" : "\"" + Util.decodeString(m) + "\""));
        } else if (resp instanceof ServiceReferralResponse) {
            ServiceReferralResponse r = (ServiceReferralResponse) resp;
            System.out.println("referral: handle=" + Util.decodeString(r.handle) + " values=" + (r.values == null ? 0 : r.values.length));
        } else {
            System.out.println("body:     " + resp);
        }
    }

    static String flags(AbstractMessage m) {
        StringBuilder b = new StringBuilder();
        if (m.authoritative) b.append("AT ");
        if (m.certify) b.append("CT ");
        if (m.encrypt) b.append("ENC ");
        if (m.recursive) b.append("REC ");
        if (m.cacheCertify) b.append("CA ");
        if (m.continuous) b.append("CN ");
        if (m.keepAlive) b.append("KC ");
        if (m.ignoreRestrictedValues) b.append("PO ");
        if (m.returnRequestDigest) b.append("RD ");
        if (m.overwriteWhenExists) b.append("OVRW ");
        if (m.mintNewSuffix) b.append("MINT ");
        if (m.doNotRefer) b.append("DNRF ");
        return b.toString().trim();
    }
}
