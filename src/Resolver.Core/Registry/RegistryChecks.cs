using Resolver.Core.Errors;
using Resolver.Core.Identifiers;
using Resolver.Core.Records;

namespace Resolver.Core.Registry;

/// <summary>The checks <see cref="RecordReader"/> and <see cref="RecordWriter"/> share, so that a read and a write of one identifier answer alike.</summary>
internal static class RegistryChecks
{
    /// <summary>The identifier <paramref name="text"/> names; INVALID_ARGUMENT naming the grammar rule it breaks.</summary>
    public static Identifier Parse(IdentifierParser parser, string text) =>
        parser.TryParse(text, out var id, out var error)
            ? id
            : throw new ResolverException(error.ToProblem("identifier", text));

    /// <summary>
    /// <paramref name="current"/> when it is a live record at <paramref name="expectedVersion"/> (null: any version).
    /// Throws INVALID_ARGUMENT for an expected version below 1, NOT_FOUND (<c>identifier-not-found</c>, or
    /// <c>identifier-deleted</c> with when) and ABORTED (<c>version-mismatch</c>).
    /// </summary>
    public static HandleRecord Live(Identifier id, HandleRecord? current, long? expectedVersion)
    {
        if (expectedVersion is < 1)
        {
            throw new ResolverException(new Problem(ErrorKind.InvalidArgument, Reasons.InvalidValue, $"expected version {expectedVersion} is not a record version: versions start at 1"));
        }

        if (current is null)
        {
            throw Fail(ErrorKind.NotFound, Reasons.IdentifierNotFound, $"identifier {id} is not registered", id);
        }

        if (current.IsDeleted)
        {
            throw new ResolverException(new Problem(
                ErrorKind.NotFound, Reasons.IdentifierDeleted,
                $"identifier {current.Identifier} was deleted at {current.DeletedAt:yyyy-MM-ddTHH:mm:ssZ}",
                Prefix: id.Prefix, DeletedAt: current.DeletedAt));
        }

        if (expectedVersion is { } expected && expected != current.Version)
        {
            throw Fail(ErrorKind.Aborted, Reasons.VersionMismatch, $"identifier {current.Identifier} is at version {current.Version}, not the expected {expected}; read it again and retry", id);
        }

        return current;
    }

    /// <summary>A refusal concerning <paramref name="id"/>, naming its prefix.</summary>
    public static ResolverException Fail(ErrorKind kind, string reason, string message, Identifier id) =>
        new(new Problem(kind, reason, message, Prefix: id.Prefix));
}
