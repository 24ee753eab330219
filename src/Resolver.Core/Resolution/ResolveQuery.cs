using Resolver.Core.Records;

namespace Resolver.Core.Resolution;

/// <summary>One identifier to resolve and which of its values to return.</summary>
/// <param name="Identifier">The identifier as the caller wrote it.</param>
/// <param name="Filter">Types and indexes to return.</param>
/// <param name="NoRecursion">Answer delegated prefixes with a referral instead of asking their site, even on a recursive node.</param>
public sealed record ResolveQuery(string Identifier, ValueFilter Filter, bool NoRecursion = false)
{
    /// <summary>A query for every value of <paramref name="identifier"/>.</summary>
    public static ResolveQuery For(string identifier) => new(identifier, ValueFilter.All);
}
