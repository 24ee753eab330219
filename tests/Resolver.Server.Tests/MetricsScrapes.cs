namespace Resolver.Server.Tests;

/// <summary>
/// Tests that scrape a node's /metrics before and after some calls and compare the counts run alone, never beside other
/// tests: every node of the test process names its meters the same, so the OpenTelemetry exporter of one node also sees
/// the instruments of nodes started beside it, counts their calls, and can miss its own as they start and stop (a count of 0
/// for 3 calls was seen under load). One node per process, as deployed, has neither problem.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsScrapes
{
    public const string Name = "metrics";
}
