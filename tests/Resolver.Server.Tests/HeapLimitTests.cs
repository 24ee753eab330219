using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Resolver.Server.Tests;

/// <summary>
/// The GC heap's hard limit a node sets itself (--heap-limit-mb, issue 25 item 10): the derivation and the choice as
/// pure functions, the host applying them only when enabled (with a fake runtime, so the test process is never capped),
/// and a real server process that reports the limit it set.
/// </summary>
public sealed class HeapLimitTests
{
    private const long MiB = 1024 * 1024;
    private const int DefaultMessageBytes = 4 * 1024 * 1024;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Derive_DefaultSettings_IsTheL1BudgetPlus192MiB()
    {
        // 256 MiB of L1 + 128 MiB of working room + a bulk import's 2 × (16 + 16) MiB.
        Assert.Equal(448 * MiB, HeapLimit.Derive(256, DefaultMessageBytes));
        Assert.Equal(1024 * MiB + (192 * MiB), HeapLimit.Derive(1024, DefaultMessageBytes));
    }

    [Fact]
    public void Derive_MessagesLargerThanTheReadAhead_MakeRoomForTwoOfThemTwice()
    {
        Assert.Equal((256 * MiB) + (128 * MiB) + (4 * 64 * MiB), HeapLimit.Derive(256, 64 * 1024 * 1024));
    }

    [Theory]
    [InlineData(-1, null, 24_000, 448L, "derived from --l1-max-mb")] // auto on a machine without limits
    [InlineData(-1, null, 300, null, "a container's memory limit")] // auto in a container tighter than the derivation
    [InlineData(-1, "DOTNET_GCHeapHardLimit", 512, null, "set by DOTNET_GCHeapHardLimit")] // the operator's variable stands
    [InlineData(0, null, 24_000, null, "--heap-limit-mb off")]
    [InlineData(600, "DOTNET_GCHeapHardLimit", 512, 600L, "set by --heap-limit-mb")] // the flag is the operator's latest word
    public void Choose_SettingAndRuntime_SetsTheLimitOnlyWhenItIsTheNodes(int setting, string? operatorSetting, long availableMb, long? expectedMb, string reason)
    {
        var (bytes, why) = HeapLimit.Choose(setting, 448 * MiB, operatorSetting, availableMb * MiB);

        Assert.Equal(expectedMb * MiB, bytes);
        Assert.Contains(reason, why, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_Auto_AppliesTheLimitDerivedFromItsL1Budget()
    {
        var runtime = new FakeHeapLimit();

        await using var server = await TestServer.StartAsync(services => services.Replace(ServiceDescriptor.Singleton<IGcHeapLimit>(runtime)), "--heap-limit-mb", "auto", "--l1-max-mb", "64");

        Assert.Equal([HeapLimit.Derive(64, DefaultMessageBytes)], runtime.Applied);
    }

    [Fact]
    public async Task Node_InTheTestProcess_LeavesTheHeapLimitAlone()
    {
        var runtime = new FakeHeapLimit();

        await using var server = await TestServer.StartAsync(services => services.Replace(ServiceDescriptor.Singleton<IGcHeapLimit>(runtime)));

        Assert.Empty(runtime.Applied);
    }

    [Fact]
    public async Task Node_HeapLimitNotANumber_DoesNotStart()
    {
        using var error = new StringWriter();

        var exitCode = await ResolverHost.RunAsync(["--heap-limit-mb", "lots"], error).WaitAsync(TimeSpan.FromSeconds(60), Ct);

        Assert.Equal(1, exitCode);
        Assert.Contains("--heap-limit-mb 'lots' must be auto, off or a number of MiB", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerProcess_ByDefault_RunsUnderTheDerivedLimitAndReportsIt()
    {
        await using var server = await ServerProcess.StartAsync("--l1-max-mb", "64");

        var scrape = await PrometheusScrape.ReadAsync(server.HttpAddress, Ct);

        Assert.Equal(HeapLimit.Derive(64, DefaultMessageBytes), scrape.Sum("resolver_gc_heap_limit_bytes"));
        Assert.Contains($"GC heap limit {HeapLimit.Derive(64, DefaultMessageBytes) / MiB} MiB: derived", server.Output, StringComparison.Ordinal);
    }

    private sealed class FakeHeapLimit : IGcHeapLimit
    {
        public List<long> Applied { get; } = [];

        public string? OperatorSetting => null;

        public long AvailableBytes => Applied.Count > 0 ? Applied[^1] : 24_000 * MiB;

        public void Apply(long bytes) => Applied.Add(bytes);
    }
}
