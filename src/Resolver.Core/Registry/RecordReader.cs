using Resolver.Core.Errors;
using Resolver.Core.Identifiers;
using Resolver.Core.Prefixes;
using Resolver.Core.Records;
using Resolver.Core.Resolution;
using Resolver.Core.Security;
using Resolver.Core.Storage;

namespace Resolver.Core.Registry;

/// <summary>
/// The registry's reads for authenticated callers: one record, a page of records, an export; each with the values the
/// caller may see (<see cref="AccessPolicy.Visible"/>). Writes are <see cref="RecordWriter"/>'s.
/// </summary>
public sealed class RecordReader(
    IdentifierParser parser,
    PrefixDirectory prefixes,
    IRecordStore store,
    AccessDirectory access,
    ResolverLimits limits)
{
    /// <summary>Page size when the caller gives none.</summary>
    public const int DefaultPageSize = 100;

    /// <summary>Largest page a caller may ask for.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>Records one store read of an export takes.</summary>
    public const int ExportPageSize = 500;

    /// <summary>
    /// The live record of <paramref name="identifier"/> with the values the caller may see. Throws UNAUTHENTICATED,
    /// INVALID_ARGUMENT (grammar), NOT_FOUND (<c>prefix-not-homed</c>, as resolution; <c>identifier-not-found</c>;
    /// <c>identifier-deleted</c>).
    /// </summary>
    public async ValueTask<HandleRecord> GetAsync(Caller caller, string identifier, CancellationToken cancellationToken)
    {
        AccessPolicy.RequireAuthenticated(caller, "reading the registry");
        var id = RegistryChecks.Parse(parser, identifier);
        var table = await prefixes.GetTableAsync(cancellationToken).ConfigureAwait(false);
        if (table.FindAuthority(id.Prefix) is not { Kind: PrefixKind.Homed })
        {
            throw new ResolverException(ResolutionService.PrefixNotHomed(id));
        }

        var record = RegistryChecks.Live(id, await store.GetAsync(id.Key, cancellationToken).ConfigureAwait(false), expectedVersion: null);
        return record with { Values = AccessPolicy.Visible(caller, record, record.Values, table, await access.GetAsync(cancellationToken).ConfigureAwait(false)) };
    }

    /// <summary>One page of live records under <paramref name="prefix"/>, and the token of the next page (null on the last).</summary>
    public async ValueTask<(IReadOnlyList<HandleRecord> Records, string? NextPageToken)> ListAsync(
        Caller caller, string prefix, int pageSize, string? pageToken, CancellationToken cancellationToken)
    {
        AccessPolicy.RequireAuthenticated(caller, "listing the registry");
        if (!IdentifierParser.TryParsePrefix(prefix, out var canonical, out var error))
        {
            throw new ResolverException(error.ToProblem("prefix", prefix));
        }

        if (pageSize is < 0 or > MaxPageSize)
        {
            throw new ResolverException(new Problem(ErrorKind.InvalidArgument, "invalid-page-size", $"page size {pageSize} is out of range: give 1 to {MaxPageSize} (0 means {DefaultPageSize})"));
        }

        var size = pageSize == 0 ? DefaultPageSize : pageSize;
        var afterKey = PageToken.Decode(pageToken);
        var page = await store.ListAsync(canonical, afterKey, size + 1, cancellationToken).ConfigureAwait(false);
        var table = await prefixes.GetTableAsync(cancellationToken).ConfigureAwait(false);
        var snapshot = await access.GetAsync(cancellationToken).ConfigureAwait(false);
        var visible = new List<HandleRecord>(Math.Min(size, page.Count));
        long bytes = 0;
        foreach (var record in page.Take(size))
        {
            // A page is cut short rather than grow past what a client honouring max_message_bytes can read.
            var answer = record with { Values = AccessPolicy.Visible(caller, record, record.Values, table, snapshot) };
            bytes += RecordSize.UpperBound(answer.Identifier, answer.Values);
            if (visible.Count > 0 && bytes > limits.MaxRecordBytes)
            {
                return (visible, PageToken.Encode(visible[^1].Key));
            }

            visible.Add(answer);
        }

        return (visible, page.Count > size ? PageToken.Encode(page[size - 1].Key) : null);
    }

    /// <summary>
    /// Every live record under <paramref name="prefix"/> (sub-prefixes included) after <paramref name="afterIdentifier"/>, in
    /// key order, with the values the caller may see; read from the store a page at a time, so memory stays flat.
    /// </summary>
    public async IAsyncEnumerable<HandleRecord> ExportAsync(
        Caller caller, string prefix, string? afterIdentifier, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        AccessPolicy.RequireAuthenticated(caller, "exporting the registry");
        if (!IdentifierParser.TryParsePrefix(prefix, out var canonical, out var error))
        {
            throw new ResolverException(error.ToProblem("prefix", prefix));
        }

        var afterKey = string.IsNullOrEmpty(afterIdentifier) ? null : RegistryChecks.Parse(parser, afterIdentifier).Key;
        while (true)
        {
            var page = await store.ListAsync(canonical, afterKey, ExportPageSize, cancellationToken).ConfigureAwait(false);
            var table = await prefixes.GetTableAsync(cancellationToken).ConfigureAwait(false);
            var snapshot = await access.GetAsync(cancellationToken).ConfigureAwait(false);
            foreach (var record in page)
            {
                yield return record with { Values = AccessPolicy.Visible(caller, record, record.Values, table, snapshot) };
            }

            if (page.Count < ExportPageSize)
            {
                yield break;
            }

            afterKey = page[^1].Key;
        }
    }
}
