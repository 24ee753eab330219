// CnriSiteInfo: OC_GET_SITE_INFO (opcode 2) with CNRI's HandleResolver to HOST:PORT over TCP (or UDP with --udp),
// printing the site's servers and their interfaces, as hdl-getsiteinfo does (net.handle.apps.tools.GetSiteInfo sends
// a GenericRequest for handle "/" with OC_GET_SITE_INFO).
//
// usage: CnriSiteInfo HOST PORT [--udp] [--hex] [--write-client-config DIR [--mode root|cache]]
//   --write-client-config DIR   also write a CNRI client configuration (for -Dnet.handle.configDir=DIR, e.g. through
//                               JAVA_TOOL_OPTIONS for bin/hdl-qresolver) that uses the site just fetched and never the
//                               global root: config.dct (auto_update_root_info no) and
//     --mode root   (default) bootstrap_handles whose 0.NA/0.NA holds this site as HS_SITE: the server acts as the
//                   global root, and HandleResolver resolves the real way (the prefix handle 0.NA/<prefix> there first,
//                   then the site its HS_SITE names)
//     --mode cache  resolver_site = this site and local_nas = "*": every request goes straight to this server
import com.google.gson.Gson;
import net.handle.hdllib.*;

import java.io.File;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;

public class CnriSiteInfo {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: CnriSiteInfo HOST PORT [--udp] [--hex]");
            System.exit(2);
        }
        InetAddress host = InetAddress.getByName(args[0]);
        int port = Integer.parseInt(args[1]);
        boolean udp = false, hex = false;
        String writeConfig = null, mode = "root";
        for (int i = 2; i < args.length; i++) {
            if (args[i].equals("--udp")) udp = true;
            else if (args[i].equals("--hex")) hex = true;
            else if (args[i].equals("--write-client-config")) writeConfig = args[++i];
            else if (args[i].equals("--mode")) mode = args[++i];
            else throw new IllegalArgumentException("unknown argument " + args[i]);
        }
        HandleResolver resolver = new HandleResolver();
        resolver.getConfiguration().setAutoUpdateRootInfo(false);
        resolver.setTcpTimeout(10000);
        resolver.setUdpRetryScheme(new int[] { 2000, 3000 });

        GenericRequest req = new GenericRequest(Common.BLANK_HANDLE, AbstractMessage.OC_GET_SITE_INFO, null);
        req.certify = false;
        AbstractResponse resp;
        try {
            resp = udp ? resolver.sendHdlUdpRequest(req, host, port) : resolver.sendHdlTcpRequest(req, host, port);
        } catch (HandleException e) {
            System.out.println("client error: " + e);
            System.exit(2);
            return;
        }
        if (hex) {
            System.out.println("request:  " + Util.decodeHexString(req.getEncodedMessage(), false));
            System.out.println("response: " + Util.decodeHexString(resp.getEncodedMessage(), false));
        }
        System.out.println("response: code=" + resp.responseCode + " (" + AbstractMessage.getResponseCodeMessage(resp.responseCode) + ") version=" + resp.majorProtocolVersion + "." + resp.minorProtocolVersion
            + " flags=" + CnriResolve.flags(resp));
        if (!(resp instanceof GetSiteInfoResponse)) {
            System.out.println("body: " + resp);
            System.exit(3);
        }
        SiteInfo site = ((GetSiteInfoResponse) resp).siteInfo;
        System.out.println("site: dataFormatVersion=" + site.dataFormatVersion + " serial=" + site.serialNumber + " protocol=" + site.majorProtocolVersion + "." + site.minorProtocolVersion + " primary=" + site.isPrimary
            + " multiPrimary=" + site.multiPrimary + " hashOption=" + site.hashOption);
        if (site.attributes != null) for (Attribute a : site.attributes) System.out.println("  attribute " + Util.decodeString(a.name) + " = " + Util.decodeString(a.value));
        for (ServerInfo s : site.servers) {
            System.out.println("  server " + s.serverId + " " + s.getAddressString() + " publicKey=" + (s.publicKey == null ? 0 : s.publicKey.length) + " bytes");
            for (Interface i : s.interfaces) System.out.println("    interface " + i);
        }
        if (writeConfig != null) writeClientConfig(new File(writeConfig), site, mode);
    }

    static void writeClientConfig(File dir, SiteInfo site, String mode) throws Exception {
        dir.mkdirs();
        Files.write(new File(dir, "config.dct").toPath(), "{\n  \"auto_update_root_info\" = \"no\"\n}\n".getBytes(StandardCharsets.UTF_8));
        if (mode.equals("cache")) {
            Files.write(new File(dir, "resolver_site").toPath(), Encoder.encodeSiteInfoRecord(site));
            Files.write(new File(dir, "local_nas").toPath(), "*\n".getBytes(StandardCharsets.UTF_8));
        } else if (mode.equals("root")) {
            HandleValue hsSite = new HandleValue(1, Common.SITE_INFO_TYPE, Encoder.encodeSiteInfoRecord(site));
            Map<String, HandleRecord> handles = new LinkedHashMap<>();
            // FilesystemConfiguration.setBootstrapHandles needs both records; when this file does not load, CNRI falls back
            // to the bootstrap handles built into its jar: the real global root servers.
            handles.put("0.0/0.0", new HandleRecord("0.0/0.0", new HandleValue[0]));
            handles.put("0.NA/0.NA", new HandleRecord("0.NA/0.NA", new HandleValue[] { hsSite }));
            Gson gson = GsonUtility.getGson();
            Files.write(new File(dir, "bootstrap_handles").toPath(), gson.toJson(new BootstrapHandles(handles)).getBytes(StandardCharsets.UTF_8));
        } else {
            throw new IllegalArgumentException("--mode is root or cache");
        }
        System.out.println("wrote a " + mode + " client configuration into " + dir + " (use -Dnet.handle.configDir=" + dir + ")");
    }
}
