[assembly: AssemblyFixture(typeof(Resolver.Server.Tests.InProcessHeapLimitOff))]

namespace Resolver.Server.Tests;

/// <summary>
/// Nodes started inside the test process (TestServer, ResolverHost.RunAsync) leave its GC heap limit alone: a heap limit
/// is process-wide, and one node's (--l1-max-mb 256 + 192 MiB) would cap the hundreds of nodes and clients one test run
/// holds. A test that wants the setting gives --heap-limit-mb (a flag wins over the variable) and a fake IGcHeapLimit;
/// ServerProcess's nodes run as deployed, with the variable removed.
/// </summary>
public sealed class InProcessHeapLimitOff
{
    /// <summary>The variable of --heap-limit-mb.</summary>
    public const string Variable = "RESOLVER_HEAP_LIMIT_MB";

    public InProcessHeapLimitOff() => Environment.SetEnvironmentVariable(Variable, "off");
}
