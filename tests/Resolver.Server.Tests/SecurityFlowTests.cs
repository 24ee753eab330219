using System.Text.Json;
using Resolver.Cli;

namespace Resolver.Server.Tests;

/// <summary>The security story through the CLI, as an integrator lives it.</summary>
public sealed class SecurityFlowTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await TestServer.StartAsync();

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    private async Task<(int ExitCode, string Out, string Error)> RunAsync(string? token, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        string[] credentials = token is null ? [] : ["--token", token];
        var exitCode = await ResolverCli.RunAsync(["--server", _server.GrpcAddress, .. credentials, .. args], output, error, TestContext.Current.CancellationToken);
        return (exitCode, output.ToString(), error.ToString());
    }

    private async Task<string> CreateEnterpriseAsync(string name, string prefix)
    {
        var (exitCode, output, error) = await RunAsync(TestServer.AdminToken, "-o", "json", "enterprise", "create", name, "--prefix", prefix);
        Assert.True(exitCode == 0, error);
        return JsonDocument.Parse(output).RootElement.GetProperty("apiKey").GetString()!;
    }

    private async Task<string[]> TypesSeenAsync(string? token)
    {
        var (exitCode, output, error) = await RunAsync(token, "-o", "json", "resolve", "88.168.1/X");
        Assert.True(exitCode == 0, error);
        return [.. JsonDocument.Parse(output).RootElement.GetProperty("record").GetProperty("values").EnumerateArray().Select(v => v.GetProperty("type").GetString()!)];
    }

    [Fact]
    public async Task PrivateValue_GrantThenRevoke_ControlsWhatAnotherEnterpriseSees()
    {
        var a = await CreateEnterpriseAsync("acme", "88.168.1");
        var b = await CreateEnterpriseAsync("bolt", "88.170.1");
        Assert.Equal(0, (await RunAsync(a, "register", "88.168.1/X", "--value", "URL=https://acme/x", "--private-value", "batch=B-2026-11")).ExitCode);

        // The owner resolves first and fills the caches with the whole record; others still see only what they may.
        Assert.Equal(["URL", "batch"], await TypesSeenAsync(a));
        Assert.Equal(["URL"], await TypesSeenAsync(null));
        Assert.Equal(["URL"], await TypesSeenAsync(b));

        Assert.Equal(0, (await RunAsync(a, "grant", "add", "--to", "bolt", "--prefix", "88.168.1")).ExitCode);
        Assert.Equal(["URL", "batch"], await TypesSeenAsync(b));

        Assert.Equal(0, (await RunAsync(a, "grant", "remove", "--to", "bolt", "--prefix", "88.168.1")).ExitCode);
        Assert.Equal(["URL"], await TypesSeenAsync(b));

        var denied = await RunAsync(b, "update", "88.168.1/X", "--value", "URL=https://bolt/took-over");
        Assert.Equal(5, denied.ExitCode);
        Assert.StartsWith("PERMISSION_DENIED: ", denied.Error, StringComparison.Ordinal);

        var (_, audit, _) = await RunAsync(TestServer.AdminToken, "-o", "json", "audit");
        Assert.Contains(audit.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement),
            e => e.GetProperty("actor").GetString() == "enterprise:bolt" && e.GetProperty("operation").GetString() == "update" && e.GetProperty("outcome").GetString() == "PERMISSION_DENIED");
    }

    [Fact]
    public async Task Writes_WithoutOrWithWrongCredentials_ExitFive()
    {
        var anonymous = await RunAsync(null, "prefix", "home", "88.1");
        var wrong = await RunAsync("rk_nope", "resolve", "88.1/x");

        Assert.Equal((5, 5), (anonymous.ExitCode, wrong.ExitCode));
        Assert.StartsWith("UNAUTHENTICATED: ", anonymous.Error, StringComparison.Ordinal);
        Assert.StartsWith("UNAUTHENTICATED: ", wrong.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokedKey_IsRefused()
    {
        await CreateEnterpriseAsync("acme", "88.168.1");
        var (_, created, _) = await RunAsync(TestServer.AdminToken, "-o", "json", "key", "create", "--enterprise", "acme");
        var key = JsonDocument.Parse(created).RootElement;

        var before = await RunAsync(key.GetProperty("apiKey").GetString(), "grant", "list");
        await RunAsync(TestServer.AdminToken, "key", "revoke", key.GetProperty("keyId").GetString()!);
        var after = await RunAsync(key.GetProperty("apiKey").GetString(), "grant", "list");

        Assert.Equal((0, 5), (before.ExitCode, after.ExitCode));
    }

    [Fact]
    public async Task Mistakes_GetTheExitCodeAScriptCanActOn()
    {
        var acme = await CreateEnterpriseAsync("acme", "88.168.1");
        await CreateEnterpriseAsync("bolt", "88.170.1");

        Assert.Equal(1, (await RunAsync(acme, "grant", "add", "--to", "acme", "--prefix", "88.168.1")).ExitCode);       // to itself
        Assert.Equal(5, (await RunAsync(acme, "grant", "add", "--to", "bolt", "--prefix", "99.1")).ExitCode);           // not its prefix
        Assert.Equal(4, (await RunAsync(TestServer.AdminToken, "enterprise", "create", "big", "--prefix", "88")).ExitCode); // would contain acme's
        Assert.Equal(1, (await RunAsync(TestServer.AdminToken, "enterprise", "create", "admin")).ExitCode);            // reserved name
        var keyless = await RunAsync(TestServer.AdminToken, "key", "create");
        Assert.Equal(1, keyless.ExitCode);
        Assert.Contains("key create --enterprise", keyless.Error, StringComparison.Ordinal);
        var listless = await RunAsync(TestServer.AdminToken, "key", "list");
        Assert.Equal(1, listless.ExitCode);
        Assert.Contains("key list --enterprise", listless.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyList_ShowsTheEnterprisesKeysNewestFirst_RevokedOnesWithRevoked_NeverTheKeys()
    {
        var acme = await CreateEnterpriseAsync("acme", "88.168.1");
        await CreateEnterpriseAsync("bolt", "88.170.1");
        var (_, created, _) = await RunAsync(acme, "-o", "json", "key", "create");
        var second = JsonDocument.Parse(created).RootElement;
        var (_, firstListing, _) = await RunAsync(acme, "-o", "json", "key", "list");
        var first = firstListing.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("keyId").GetString()!)
            .Single(id => id != second.GetProperty("keyId").GetString()); // the key the enterprise was created with
        var rotated = second.GetProperty("apiKey").GetString(); // rotation: the new key revokes the first
        await RunAsync(rotated, "key", "revoke", first);

        var live = await RunAsync(rotated, "-o", "json", "key", "list");
        var all = await RunAsync(TestServer.AdminToken, "key", "list", "--enterprise", "acme", "--revoked");
        var others = await RunAsync(rotated, "key", "list", "--enterprise", "bolt");
        var older = await RunAsync(rotated, "-o", "json", "key", "list", "--revoked", "--before", second.GetProperty("keyId").GetString()!);

        var liveKeys = live.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToArray();
        Assert.Equal([second.GetProperty("keyId").GetString()], liveKeys.Select(k => k.GetProperty("keyId").GetString()));
        Assert.Equal("acme", liveKeys[0].GetProperty("enterprise").GetString());
        Assert.False(liveKeys[0].TryGetProperty("revokedAt", out _));
        var rows = all.Out.Split('\n').Where(line => line.Contains(" acme ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, rows.Length);
        Assert.Contains(second.GetProperty("keyId").GetString()!, rows[0], StringComparison.Ordinal);
        Assert.Contains(first, rows[1], StringComparison.Ordinal);
        Assert.Matches(@"\d{4}-\d{2}-\d{2}.*\d{4}-\d{2}-\d{2}", rows[1]); // issued and revoked
        Assert.DoesNotContain(second.GetProperty("apiKey").GetString()!, all.Out, StringComparison.Ordinal);
        Assert.Equal(5, others.ExitCode);
        Assert.Equal(first, JsonDocument.Parse(older.Out.Trim()).RootElement.GetProperty("keyId").GetString());
    }

    [Fact]
    public async Task WriteWithABadCredential_IsInTheAuditLog()
    {
        await RunAsync("rk_not-a-real-key", "register", "88.168.1/X", "--value", "URL=x");

        var (_, audit, _) = await RunAsync(TestServer.AdminToken, "-o", "json", "audit");

        Assert.Contains(audit.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement),
            e => e.GetProperty("operation").GetString() == "resolver.v1.Registry/CreateRecord" && e.GetProperty("outcome").GetString() == "UNAUTHENTICATED");
    }
}
