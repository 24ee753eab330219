using Resolver.Testing;

[assembly: AssemblyFixture(typeof(Resolver.Server.Tests.PostgresFixture))]

namespace Resolver.Server.Tests;

/// <summary>One real PostgreSQL for this test assembly; each test gets its own schema.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("PostgreSQL did not start");

    public async ValueTask InitializeAsync() => _server = await PostgresServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
