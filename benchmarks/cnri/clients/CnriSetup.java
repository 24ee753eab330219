// CnriSetup: lays out a standalone CNRI Handle.Net 9 server directory and loads its handles offline, with CNRI's own
// classes (net.handle.*, run against the distribution's lib/*.jar): what hdl-setup-server would write (keys, siteinfo.json,
// config.dct), minus its prompts and its refusal of 127.0.0.1, plus the handles written straight into the server's
// Berkeley DB JE storage (BDBJEHandleStorage, the storage the server itself opens), which takes seconds for 100,000
// handles where an admin connection (hdl-genericbatch) would take one authenticated round trip per handle.
//
// usage: CnriSetup --dir SERVERDIR [--port 2641] [--http-port 8000] [--prefix 88.300]... [--handles N] [--no-root]
//                  [--no-access-log] [--advertise-port P] [--dataset COUNT:PREFIXES[:VALUE_BYTES]]
//   --dataset C:P[:B]    instead of the B-NNNNNN handles: Resolver's benchmark dataset (benchmarks/Resolver.Dataset),
//                        identifier i (0 <= i < C) = 88.100.{i % P + 1}/item-{i:D9} with 1 URL, 2 batch, 3 spec, each
//                        padded to B characters (default 200) exactly as Dataset.Record(i) does, TTL 86400, timestamp
//                        2026-01-01, admin read/write + public read, no HS_ADMIN; homes 0.NA/88.100.1 ... 0.NA/88.100.P
//   --advertise-port P   the port siteinfo.json and the HS_SITE values name (default: --port), for a capture proxy
//                        listening on P in front of the server
//
// What it writes into SERVERDIR:
//   pubkey.bin/privkey.bin      the server's key pair (DSA 1024, as hdl-setup-server makes it; private key unencrypted)
//   admpub.bin/admpriv.bin      an administrator key pair (RSA 2048, unencrypted): HS_PUBKEY at 0.NA/<prefix> index 300
//   siteinfo.json               one primary server, 127.0.0.1:<port> for UDP+TCP, HTTP on <http-port>
//   config.dct                  hdl_udp, hdl_tcp, hdl_http on 127.0.0.1; server_admins 300:0.NA/<first prefix>;
//                               allow_recursion no; auto_update_root_info no (never contacts the global root)
//   hdlconfig/                  the resolver configuration of the server's own internal HandleResolver
//                               (-Dnet.handle.configDir): resolver_site = this site, local_nas = *, no root updates
//   bdbje/                      the handle database: homed prefixes 0.NA/<prefix> (and 0.NA/0.NA unless --no-root),
//                               the prefix handles 0.NA/<prefix> (HS_SITE, HS_ADMIN, HS_PUBKEY) unless --no-root,
//                               and the handles <prefix>/B-000001 ... B-<N> plus <prefix>/MANY and <prefix>/SECRET
import net.cnri.util.StreamTable;
import net.cnri.util.StreamVector;
import net.handle.apps.simple.SiteInfoConverter;
import net.handle.hdllib.*;
import net.handle.server.bdbje.BDBJEHandleStorage;

import java.io.File;
import java.io.FileOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.List;

public class CnriSetup {
    /** Every value's timestamp: fixed (2026-01-01T00:00:00Z, the Resolver dataset's), so answers are byte-for-byte reproducible. */
    static final int CREATED = 1767225600;

    public static void main(String[] args) throws Exception {
        File dir = null;
        int port = 2641, httpPort = 8000, handles = 1000, advertisePort = -1;
        int datasetCount = -1, datasetPrefixes = 0, datasetValueBytes = 200;
        boolean root = true, accessLog = true;
        List<String> prefixes = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dir": dir = new File(args[++i]); break;
                case "--port": port = Integer.parseInt(args[++i]); break;
                case "--http-port": httpPort = Integer.parseInt(args[++i]); break;
                case "--advertise-port": advertisePort = Integer.parseInt(args[++i]); break;
                case "--dataset": {
                    String[] shape = args[++i].split(":");
                    datasetCount = Integer.parseInt(shape[0]);
                    datasetPrefixes = Integer.parseInt(shape[1]);
                    if (shape.length > 2) datasetValueBytes = Integer.parseInt(shape[2]);
                    break;
                }
                case "--prefix": prefixes.add(args[++i]); break;
                case "--handles": handles = Integer.parseInt(args[++i]); break;
                case "--no-root": root = false; break;
                case "--no-access-log": accessLog = false; break;
                default: throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (dir == null) throw new IllegalArgumentException("--dir is required");
        if (datasetCount >= 0) {
            prefixes.clear();
            for (int e = 1; e <= datasetPrefixes; e++) prefixes.add("88.100." + e);
        }
        if (prefixes.isEmpty()) prefixes.add("88.300");
        dir.mkdirs();
        InetAddress loopback = InetAddress.getByName("127.0.0.1");

        // Keys, the way SimpleSetup.generateKeys writes them (Util.encrypt with ENCRYPT_NONE: no passphrase prompt at start).
        File pubKeyFile = new File(dir, "pubkey.bin"), privKeyFile = new File(dir, "privkey.bin");
        writeKeys(KeyPairGenerator.getInstance("DSA"), 1024, pubKeyFile, privKeyFile);
        File admPub = new File(dir, "admpub.bin"), admPriv = new File(dir, "admpriv.bin");
        KeyPair admin = writeKeys(KeyPairGenerator.getInstance("RSA"), 2048, admPub, admPriv);

        // The site: one primary server on 127.0.0.1, as SimpleSetup builds it (SiteInfo's own constructor). It names
        // --advertise-port when given (a capture proxy in front of the server), the bound port otherwise.
        if (advertisePort < 0) advertisePort = port;
        String description = "Resolver interop lab (CNRI Handle.Net 9, loopback)";
        SiteInfo site = new SiteInfo(1, true, false, SiteInfo.HASH_TYPE_BY_ALL, description, loopback, advertisePort, httpPort, pubKeyFile, false);
        SiteInfo boundSite = new SiteInfo(1, true, false, SiteInfo.HASH_TYPE_BY_ALL, description, loopback, port, httpPort, pubKeyFile, false);
        Files.write(new File(dir, "siteinfo.json").toPath(), SiteInfoConverter.convertToJson(site).getBytes(StandardCharsets.UTF_8));

        // config.dct: ConfigCommon.configuration, as SimpleSetup calls it, then the lab's settings.
        String firstPrefix = prefixes.get(0);
        StreamTable config = ConfigCommon.configuration(HSG.SVR_TYPE_SERVER, false, port, accessLog, loopback, HSG.THREAD_COUNT, httpPort, HSG.NEVER,
            HSG.CASE_INSENSITIVE, HSG.MAX_AUTH_TIME, HSG.MAX_SESSION_TIME, 1, true, "300:0.NA/" + firstPrefix, "300:0.NA/" + firstPrefix, "", null, true);
        StreamTable server = (StreamTable) config.get(HSG.SERVER_CONFIG);
        server.put("allow_recursion", "no");
        server.put("auto_update_root_info", "no");
        server.put("allow_na_admins", "yes");
        server.put("enable_monitor_daemon", "no");
        server.put("bdbje_no_sync_on_write", "yes");
        server.put("bdbje_dump_on_checkpoint", "no");
        server.put("template_ns_override", "no");
        config.put("auto_update_root_info", "no");
        config.writeToFile(new File(dir, HSG.CONFIG_FILE_NAME));

        // The internal resolver's configuration: everything it would ask goes to this site, never to the global root.
        File hdlconfig = new File(dir, "hdlconfig");
        writeClientConfig(hdlconfig, boundSite);

        // The database, opened the way the server opens it (HandleStorageFactory: BDBJE, "bdbje" under the server dir).
        StreamTable storageConfig = new StreamTable();
        storageConfig.put("serverDir", dir.getAbsolutePath());
        storageConfig.put("bdbje_no_sync_on_write", "yes");
        BDBJEHandleStorage storage = new BDBJEHandleStorage();
        storage.init(storageConfig);
        long start = System.nanoTime();
        int written = 0;
        try {
            if (root) storage.setHaveNA(Util.encodeString("0.NA/0.NA"), true);
            for (String prefix : prefixes) {
                byte[] na = Util.encodeString("0.NA/" + prefix);
                storage.setHaveNA(na, true);
                if (root) {
                    HandleValue[] prefixValues = {
                        value(1, "HS_SITE", Encoder.encodeSiteInfoRecord(site)),
                        value(100, "HS_ADMIN", Encoder.encodeAdminRecord(adminRecord("0.NA/" + prefix, 300))),
                        value(300, "HS_PUBKEY", Util.getBytesFromPublicKey(admin.getPublic())),
                    };
                    storage.createOrUpdateRecord(Util.upperCase(na), prefixValues);
                    written++;
                }
                if (datasetCount >= 0) continue; // the dataset's records are written below, in identifier order
                byte[] admin100 = Encoder.encodeAdminRecord(adminRecord("0.NA/" + prefix, 300));
                for (int i = 1; i <= handles; i++) {
                    String suffix = String.format("B-%06d", i);
                    storage.createOrUpdateRecord(key(prefix + "/" + suffix), new HandleValue[] {
                        value(1, "URL", "https://example.com/items/" + suffix),
                        value(2, "EMAIL", suffix.toLowerCase() + "@example.com"),
                        value(3, "spec", "spec v2; material steel S355; tolerance 0.05 mm; surface Ra 1.6; ref doc " + prefix + "/spec-" + String.format("%04d", i % 97)),
                        value(100, "HS_ADMIN", admin100),
                    });
                    written++;
                    if (i % 20000 == 0) System.err.println("CnriSetup: " + prefix + ": " + i + " handles");
                }
                // MANY: 40 values (about 3 KB): a UDP answer in several datagrams.
                List<HandleValue> many = new ArrayList<>();
                for (int i = 1; i <= 40; i++) many.add(value(i, "URL", String.format("https://example.com/many/%02d/padding-to-make-the-answer-span-several-udp-datagrams", i)));
                many.add(value(100, "HS_ADMIN", admin100));
                storage.createOrUpdateRecord(key(prefix + "/MANY"), many.toArray(new HandleValue[0]));
                // SECRET: one public value and one that only an administrator may read (public_read off).
                HandleValue secret = value(2, "EMAIL", "secret@example.com");
                secret.setAnyoneCanRead(false);
                storage.createOrUpdateRecord(key(prefix + "/SECRET"), new HandleValue[] { value(1, "URL", "https://example.com/public"), secret, value(100, "HS_ADMIN", admin100) });
                written += 2;
            }
            for (int i = 0; i < datasetCount; i++) {
                String id = String.format("88.100.%d/item-%09d", i % datasetPrefixes + 1, i);
                storage.createOrUpdateRecord(key(id), new HandleValue[] {
                    datasetValue(1, "URL", padded(String.format("https://e%d.example.com/items/item-%09d?view=full&lang=en&pad=", i % datasetPrefixes + 1, i), datasetValueBytes)),
                    datasetValue(2, "batch", padded(String.format("batch %06d; line 3; shift B; produced 2026-01-01; inspector 0042; notes: ", i / 1000), datasetValueBytes)),
                    datasetValue(3, "spec", padded(String.format("spec v2; material steel S355; tolerance 0.05 mm; surface Ra 1.6; ref doc 88.100.1/spec-%04d; ", i % 97), datasetValueBytes)),
                });
                written++;
                if ((i + 1) % 100000 == 0) System.err.println("CnriSetup: dataset: " + (i + 1) + " identifiers");
            }
        } finally {
            storage.shutdown();
        }
        String homed = prefixes.size() <= 3 ? String.valueOf(prefixes) : prefixes.size() + " prefixes (" + prefixes.get(0) + " ... " + prefixes.get(prefixes.size() - 1) + ")";
        System.err.printf("CnriSetup: wrote %d handles under %s in %.1f s into %s%n", written, homed, (System.nanoTime() - start) / 1e9, new File(dir, "bdbje"));
    }

    /** Dataset.Padded: appends a, b, c, ... z, a, ... until the text is `length` characters long. */
    static String padded(String text, int length) {
        StringBuilder b = new StringBuilder(text);
        for (int n = 0; b.length() < length; n++) b.append((char) ('a' + n % 26));
        return b.toString();
    }

    /** A dataset value: ValuePermissions.Default (admin read+write, public read), HandleValue.DefaultTtl 86400. */
    static HandleValue datasetValue(int index, String type, String data) {
        return value(index, type, data);
    }

    static byte[] key(String handle) {
        return Util.upperCase(Util.encodeString(handle)); // the server is case-insensitive: it looks handles up upper-cased
    }

    static HandleValue value(int index, String type, String data) {
        return value(index, type, Util.encodeString(data));
    }

    static HandleValue value(int index, String type, byte[] data) {
        HandleValue v = new HandleValue(index, Util.encodeString(type), data, HandleValue.TTL_TYPE_RELATIVE, 86400, CREATED, null, true, true, true, false);
        return v;
    }

    static AdminRecord adminRecord(String adminHandle, int index) {
        return new AdminRecord(Util.encodeString(adminHandle), index, true, true, true, true, true, true, true, true, true, true, true, true);
    }

    static KeyPair writeKeys(KeyPairGenerator kpg, int bits, File pub, File priv) throws Exception {
        kpg.initialize(bits);
        KeyPair keys = kpg.generateKeyPair();
        try (FileOutputStream out = new FileOutputStream(priv)) {
            out.write(Util.encrypt(Util.getBytesFromPrivateKey(keys.getPrivate()), null, Common.ENCRYPT_NONE));
        }
        try (FileOutputStream out = new FileOutputStream(pub)) {
            out.write(Util.getBytesFromPublicKey(keys.getPublic()));
        }
        return keys;
    }

    /** A client-side resolver configuration (net.handle.configDir) that sends every request to this site. */
    static void writeClientConfig(File hdlconfig, SiteInfo site) throws Exception {
        hdlconfig.mkdirs();
        StreamTable clientConfig = new StreamTable();
        clientConfig.put("auto_update_root_info", "no");
        clientConfig.writeToFile(new File(hdlconfig, HSG.CONFIG_FILE_NAME));
        Files.write(new File(hdlconfig, "resolver_site").toPath(), Encoder.encodeSiteInfoRecord(site));
        Files.write(new File(hdlconfig, "local_nas").toPath(), "*\n".getBytes(StandardCharsets.UTF_8));
        Files.write(new File(hdlconfig, "siteinfo.json").toPath(), SiteInfoConverter.convertToJson(site).getBytes(StandardCharsets.UTF_8));
    }
}
