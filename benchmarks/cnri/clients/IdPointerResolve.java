// IdPointerResolve: one resolution (or --repeat N in a row) with Teleinfo's id-pointer-sdk TCP clients, to HOST:PORT.
//
// usage: IdPointerResolve HOST PORT HANDLE [--type T]... [--index N]... [--client default|v3] [--repeat N] [--auth-string S]
//   --client default  (the default) IDClientFactory.newInstance(InetSocketAddress): a DefaultIdClient (SampleIdClient), the
//                     client the SDK's own DefaultIdResolver / GlobalIdClientFactory hand out; resolveHandle(handle, types,
//                     indexes) on a Netty FixedChannelPool (maxConnectionsPerServer 10, promiseTimeout 60 s by default;
//                     here 10 s)
//   --client v3       new DefaultIdClientFactory().createTcpClient(address, 10, 10): the 2024 "v3" IdTcpClient
//   --repeat N        N resolutions one after the other with the same client (shows how it reuses or reopens connections)
//   --auth-string S   resolveHandle(handle, types, indexes, S): the "recursive identity" variant (flag 0x00000004 and S in
//                     the trailing auth field of the request body); default client only
// Prints the values, or the IDException (its code, and the response code when there was a response). Exit status 0 when
// every resolution succeeded, 3 otherwise.
import cn.teleinfo.idpointer.sdk.client.IDClient;
import cn.teleinfo.idpointer.sdk.client.IDClientFactory;
import cn.teleinfo.idpointer.sdk.client.v3.DefaultIdClientFactory;
import cn.teleinfo.idpointer.sdk.client.v3.IdClient;
import cn.teleinfo.idpointer.sdk.config.IDClientConfig;
import cn.teleinfo.idpointer.sdk.core.ErrorIdResponse;
import cn.teleinfo.idpointer.sdk.core.HandleValue;
import cn.teleinfo.idpointer.sdk.core.Util;
import cn.teleinfo.idpointer.sdk.exception.IDException;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

public class IdPointerResolve {
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: IdPointerResolve HOST PORT HANDLE [--type T]... [--index N]... [--client default|v3] [--repeat N] [--auth-string S]");
            System.exit(2);
        }
        InetSocketAddress address = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        String handle = args[2];
        List<String> types = new ArrayList<>();
        List<Integer> indexes = new ArrayList<>();
        String client = "default", authString = null;
        int repeat = 1;
        for (int i = 3; i < args.length; i++) {
            switch (args[i]) {
                case "--type": types.add(args[++i]); break;
                case "--index": indexes.add(Integer.parseInt(args[++i])); break;
                case "--client": client = args[++i]; break;
                case "--repeat": repeat = Integer.parseInt(args[++i]); break;
                case "--auth-string": authString = args[++i]; break;
                default: throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        String[] typeArray = types.isEmpty() ? null : types.toArray(new String[0]);
        int[] indexArray = indexes.isEmpty() ? null : indexes.stream().mapToInt(Integer::intValue).toArray();
        boolean allOk = true;
        if (client.equals("v3")) {
            IdClient c = new DefaultIdClientFactory().createTcpClient(address, 10, 10);
            for (int n = 0; n < repeat; n++) {
                try {
                    print(n, c.resolveHandle(handle, typeArray, indexArray));
                } catch (IDException e) {
                    allOk = false;
                    print(n, e);
                }
            }
        } else {
            IDClientConfig config = IDClientConfig.builder().recursionServerIp(args[0]).recursionServerPort(Integer.parseInt(args[1])).promiseTimeout(10).build();
            IDClient c = new IDClientFactory(config).newInstance(address);
            for (int n = 0; n < repeat; n++) {
                try {
                    print(n, authString == null ? c.resolveHandle(handle, typeArray, indexArray) : c.resolveHandle(handle, typeArray, indexArray, authString));
                } catch (IDException e) {
                    allOk = false;
                    print(n, e);
                }
            }
            c.close();
        }
        System.exit(allOk ? 0 : 3);
    }

    static void print(int n, HandleValue[] values) {
        System.out.println("resolution " + (n + 1) + ": " + values.length + " values");
        for (HandleValue v : values) {
            String data = v.getTypeAsString().startsWith("HS_") ? "(" + v.getData().length + " bytes) " + Util.decodeHexString(v.getData(), false) : v.getDataAsString();
            System.out.println("  " + v.getIndex() + " " + v.getTypeAsString() + " " + data);
        }
    }

    static void print(int n, IDException e) {
        StringBuilder b = new StringBuilder("resolution " + (n + 1) + ": IDException code=" + e.getCode() + " message=" + e.getMessage());
        if (e.getResponse() != null) {
            b.append(" responseCode=").append(e.getResponse().getResponseCode());
            if (e.getResponse() instanceof ErrorIdResponse) {
                byte[] m = ((ErrorIdResponse) e.getResponse()).message;
                b.append(" responseMessage=\"").append(m == null ? "" : Util.decodeString(m)).append('"');
            }
        }
        if (e.getCause() != null) b.append(" cause=").append(e.getCause());
        System.out.println(b);
    }
}
