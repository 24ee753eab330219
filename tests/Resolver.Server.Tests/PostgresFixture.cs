using Resolver.Testing;

[assembly: AssemblyFixture(typeof(PostgresFixture))]
