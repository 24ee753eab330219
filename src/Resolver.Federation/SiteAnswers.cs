using Resolver.Core;
using Resolver.Core.Errors;
using Resolver.Core.Identifiers;
using Resolver.Core.Prefixes;
using Resolver.Core.Records;

namespace Resolver.Federation;

/// <summary>
/// What a site answered for one identifier, checked as a caller's request is (SPEC §4, "what a site answers is outside
/// input"): a status this node knows, a record of the identifier asked for that fits this node's limits (values per
/// record, value bytes, record bytes; times in range), or a referral naming a valid prefix and at most
/// <see cref="PrefixAdministration.MaxSites"/> valid endpoints. Anything else is UNAVAILABLE
/// (<c>site-answer-invalid</c>) for that identifier alone, naming the site. Texts a site sends are echoed escaped and cut.
/// </summary>
public sealed class SiteAnswers(IdentifierParser parser, ResolverLimits limits)
{
    /// <summary>The longest text of a site's echoed in a message.</summary>
    public const int MaxEchoedText = 200;

    /// <summary>A checked answer: a record, a referral, a problem, or none of them for a status the caller reads itself.</summary>
    public readonly record struct Checked(HandleRecord? Record, Referral? Referral, Problem? Problem);

    /// <summary>A referral a site answered, its endpoints checked.</summary>
    public sealed record Referral(string Prefix, IReadOnlyList<string> Endpoints, int Ttl);

    /// <summary>Checks what <paramref name="endpoint"/> answered for <paramref name="key"/> (under <paramref name="prefix"/>).</summary>
    public Checked Check(Protocol.V1.ResolveResult result, string key, string prefix, string endpoint)
    {
        var code = result.Status?.Code ?? 0;
        if (code is < 0 or > 16)
        {
            return Invalid(endpoint, key, prefix, $"status code {code}, which gRPC does not define");
        }

        if (code != 0)
        {
            return default; // a status of the site's: the caller maps it
        }

        return result switch
        {
            { Record: { } record, Referral: null } => CheckRecord(record, key, prefix, endpoint),
            { Referral: { } referral, Record: null } => CheckReferral(referral, key, prefix, endpoint),
            { Record: not null, Referral: not null } => Invalid(endpoint, key, prefix, "both a record and a referral"),
            _ => Invalid(endpoint, key, prefix, "status OK without a record or a referral"),
        };
    }

    private Checked CheckRecord(Protocol.V1.Record message, string key, string prefix, string endpoint)
    {
        if (!parser.TryParse(message.Identifier, out var identifier, out _) || !string.Equals(identifier.Key, key, StringComparison.OrdinalIgnoreCase))
        {
            return Invalid(endpoint, key, prefix, $"a record of another identifier, \"{Quoted(message.Identifier)}\"");
        }

        if (message.Values.Count > limits.MaxValuesPerRecord)
        {
            return Invalid(endpoint, key, prefix, $"a record of {message.Values.Count} values, more than this node's {limits.MaxValuesPerRecord} (--max-values-per-record)");
        }

        HandleRecord record;
        try
        {
            record = RemoteRecord.From(message, key);
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException)
        {
            // Google.Protobuf refuses timestamps outside 0001-9999 or not normalised.
            return Invalid(endpoint, key, prefix, "a record with a time out of range");
        }

        foreach (var value in record.Values)
        {
            if (RecordSize.OfPayload(value.Data, value.References) > limits.MaxValueBytes)
            {
                return Invalid(endpoint, key, prefix, $"value {value.Index} larger than this node's {limits.MaxValueBytes} bytes (--max-value-bytes)");
            }

            if (value.Type.Length > limits.MaxTypeLength)
            {
                return Invalid(endpoint, key, prefix, $"value {value.Index} with a type longer than {limits.MaxTypeLength} characters");
            }
        }

        if (RecordSize.UpperBound(record.Identifier, record.Values) > limits.MaxRecordBytes)
        {
            return Invalid(endpoint, key, prefix, $"a record larger than this node answers ({limits.MaxRecordBytes} bytes, --max-message-bytes)");
        }

        return new Checked(record, null, null);
    }

    private static Checked CheckReferral(Protocol.V1.Referral referral, string key, string prefix, string endpoint)
    {
        if (referral.Prefix.Length > 0 && (!IdentifierParser.TryParsePrefix(referral.Prefix, out var canonical, out _) || canonical != referral.Prefix))
        {
            return Invalid(endpoint, key, prefix, $"a referral for \"{Quoted(referral.Prefix)}\", which is not a canonical prefix");
        }

        if (referral.Endpoints.Count is 0 or > PrefixAdministration.MaxSites)
        {
            return Invalid(endpoint, key, prefix, $"a referral to {referral.Endpoints.Count} sites; a delegation names 1 to {PrefixAdministration.MaxSites}");
        }

        if (!referral.Endpoints.All(PrefixAdministration.IsSite))
        {
            return Invalid(endpoint, key, prefix, "a referral to sites that are not http(s)://HOST:PORT addresses");
        }

        return new Checked(null, new Referral(referral.Prefix, [.. referral.Endpoints], referral.Ttl), null);
    }

    private static Checked Invalid(string endpoint, string key, string prefix, string what) =>
        new(null, null, new Problem(ErrorKind.Unavailable, Reasons.SiteAnswerInvalid, $"site {endpoint} answered {key} with {what}; the answer is not used", Prefix: prefix));

    /// <summary>A site's text, safe to echo: control characters spelled out, at most <see cref="MaxEchoedText"/> characters.</summary>
    public static string Quoted(string text) => EscapedText.Of(text, MaxEchoedText);

    /// <summary>A site's reason id if it reads as one (lower-case words and dashes), else <c>site-error</c>.</summary>
    public static string Reason(string? reason) =>
        reason is { Length: > 0 and <= 64 } && reason.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-') ? reason : "site-error";
}
