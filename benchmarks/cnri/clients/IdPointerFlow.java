// IdPointerFlow: the id-pointer-sdk's own resolution flow, unchanged, with its recursion node pointed at HOST:PORT
// instead of the national one (prd 36.112.25.8:3641).
//
// usage: IdPointerFlow RECURSION_HOST RECURSION_PORT HANDLE [--type T]... [--index N]...
//
// The calls are the SDK's: GlobalIdClientFactory.init(IDClientConfig...recursionServerIp/Port), then
// GlobalIdClientFactory.getIdResolver().resolveHandle(handle, types, indexes), which is DefaultIdResolver.resolveHandle:
//   1. prefix = ValueHelper.getPrefix(handle): the part before the first "/" ("88.300"; "0.NA/" stripped from prefix handles)
//   2. GlobalIdClientFactory.getPrefixTcpInetSocketAddress(prefix): a DefaultIdClient to the recursion node resolves the
//      prefix, as given and without "0.NA/", with types [HS_SITE]; Util.getSitesFromValues; the first site's first
//      server's first interface whose protocol is TCP
//   3. IDClientFactory.newInstance(prefix): a new DefaultIdClient to that address, resolveHandle(handle, types, indexes)
// A handle without "/" or starting with "0.NA/" is resolved at the recursion node directly (step 2 with the caller's
// types). Prints each step's outcome.
import cn.teleinfo.idpointer.sdk.client.GlobalIdClientFactory;
import cn.teleinfo.idpointer.sdk.config.IDClientConfig;
import cn.teleinfo.idpointer.sdk.core.HandleValue;
import cn.teleinfo.idpointer.sdk.exception.IDException;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

public class IdPointerFlow {
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: IdPointerFlow RECURSION_HOST RECURSION_PORT HANDLE [--type T]... [--index N]...");
            System.exit(2);
        }
        String handle = args[2];
        List<String> types = new ArrayList<>();
        List<Integer> indexes = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            switch (args[i]) {
                case "--type": types.add(args[++i]); break;
                case "--index": indexes.add(Integer.parseInt(args[++i])); break;
                default: throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        GlobalIdClientFactory.init(IDClientConfig.builder().recursionServerIp(args[0]).recursionServerPort(Integer.parseInt(args[1])).promiseTimeout(10).build());
        int status = 0;
        if (handle.indexOf('/') >= 0 && !handle.startsWith("0.NA/")) {
            String prefix = handle.substring(0, handle.indexOf('/'));
            try {
                InetSocketAddress site = GlobalIdClientFactory.getPrefixTcpInetSocketAddress(prefix);
                System.out.println("step 2: HS_SITE of " + prefix + " at the recursion node -> first TCP interface " + site);
            } catch (IDException e) {
                System.out.print("step 2 failed: ");
                IdPointerResolve.print(0, e);
                System.exit(3);
            }
        }
        try {
            HandleValue[] values = GlobalIdClientFactory.getIdResolver().resolveHandle(handle, types.isEmpty() ? null : types.toArray(new String[0]),
                indexes.isEmpty() ? null : indexes.stream().mapToInt(Integer::intValue).toArray());
            IdPointerResolve.print(0, values);
        } catch (IDException e) {
            IdPointerResolve.print(0, e);
            status = 3;
        }
        System.exit(status);
    }
}
