using System.Text.RegularExpressions;
using Resolver.Protocol.V1;
using Resolver.Testing;
using StackExchange.Redis;

namespace Resolver.Server.Tests;

/// <summary>
/// Issue 25 item 19: production's Redis accepts one ACL user with a password from a Secret. A real redis-server runs with
/// the ACL that k8s/base/redis/statefulset.yaml writes (read from the manifest, so the test follows it), and a node given
/// <c>--redis-user</c> and <c>--redis-password</c> caches through it, while a caller without the password gets nothing.
/// </summary>
public sealed partial class RedisAclTests : IAsyncLifetime
{
    private const string Password = "s3cret+/with=signs";
    private RedisServer _redis = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var acl = Path.Combine(Directory.CreateTempSubdirectory("resolver-acl-").FullName, "users.acl");
        await File.WriteAllTextAsync(acl, ManifestAcl(Password), Ct);
        _redis = await RedisServer.StartAsync($"aclfile {acl}", Ct);
    }

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync();

    // The ACL lines of the manifest's start script: printf 'user default off\nuser resolver on >%s …\n' "$REDIS_PASSWORD".
    private static string ManifestAcl(string password)
    {
        var manifest = File.ReadAllText(Path.Combine(RepositoryRoot(), "k8s", "base", "redis", "statefulset.yaml"));
        var format = PrintfFormat().Match(manifest);
        Assert.True(format.Success, "k8s/base/redis/statefulset.yaml no longer writes its ACL file with printf '…'");
        return format.Groups[1].Value.Replace("%s", password, StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Resolver.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Resolver.sln not found above the test binaries");
    }

    [GeneratedRegex(@"printf '(user default off[^']*)'")]
    private static partial Regex PrintfFormat();

    private async Task<TestServer> NodeAsync(string password) =>
        await TestServer.StartAsync("--redis", _redis.Configuration, "--redis-user", "resolver", "--redis-password", password);

    [Fact]
    public async Task NodeWithTheSecret_CachesInRedis_UnderItsOwnKeys()
    {
        await using var node = await NodeAsync(Password);
        await node.RegisterAsync("88.168.1/ACL-1", "https://example.com/acl-1");

        var answer = await node.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/ACL-1" }, cancellationToken: Ct);

        using var asResolver = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { _redis.Configuration }, User = "resolver", Password = Password });
        var server = asResolver.GetServer(asResolver.GetEndPoints()[0]);
        await Eventually.TrueAsync(() => server.Keys(pattern: "resolver:*:r:*").Any(), TimeSpan.FromSeconds(10), "the node never cached an entry in Redis as user resolver");
        Assert.Equal("https://example.com/acl-1", answer.Record.Values.Single().Data.Text);
        Assert.All(server.Keys(pattern: "*"), key => Assert.StartsWith("resolver:", key.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithoutThePassword_RedisRefuses_AndTheNodeStillAnswersFromItsStore()
    {
        await using var node = await NodeAsync("wrong-password");
        await node.RegisterAsync("88.168.1/ACL-2", "https://example.com/acl-2");

        var answer = await node.Resolution.ResolveAsync(new ResolveRequest { Identifier = "88.168.1/ACL-2" }, cancellationToken: Ct);
        var anonymous = await _redis.CommandAsync("GET resolver:x", Ct);

        Assert.Equal("https://example.com/acl-2", answer.Record.Values.Single().Data.Text);
        Assert.StartsWith("-NOAUTH", anonymous, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheResolverUser_MayNotRunDangerousCommands()
    {
        // Admin mode only lifts the client library's own guard, so that the server is the one asked.
        using var asResolver = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { _redis.Configuration }, User = "resolver", Password = Password, AllowAdmin = true });

        var flush = await Assert.ThrowsAsync<RedisServerException>(() => asResolver.GetDatabase().ExecuteAsync("FLUSHALL"));
        var outside = await Assert.ThrowsAsync<RedisServerException>(() => asResolver.GetDatabase().StringSetAsync("other:key", "x"));

        Assert.Contains("NOPERM", flush.Message, StringComparison.Ordinal);
        Assert.Contains("NOPERM", outside.Message, StringComparison.Ordinal);
    }
}
