namespace Resolver.Core.Errors;

/// <summary>Stable reason ids that are not grammar rules (those live in <see cref="Identifiers.IdentifierRules"/>).</summary>
public static class Reasons
{
    public const string PrefixNotHomed = "prefix-not-homed";
    public const string IdentifierNotFound = "identifier-not-found";
    public const string IdentifierDeleted = "identifier-deleted";
    public const string IdentifierExists = "identifier-exists";
    public const string ValueExists = "value-exists";
    public const string ReuseRequired = "identifier-deleted-reuse-required";
    public const string VersionMismatch = "version-mismatch";
    public const string ValueNotFound = "value-not-found";
    public const string InvalidValue = "invalid-value";
    public const string TooManyValues = "too-many-values";
    public const string ValueTooLarge = "value-too-large";
    public const string RecordTooLarge = "record-too-large";
    public const string BatchTooLarge = "batch-too-large";
    public const string TooManyFilters = "too-many-filters";
    public const string AnswerTooLarge = "answer-too-large";
    public const string InvalidPageToken = "invalid-page-token";
    public const string StoreUnavailable = "store-unavailable";
    public const string SiteUnavailable = "site-unavailable";
    public const string SiteRefused = "site-refused";
    public const string LameDelegation = "lame-delegation";
    public const string DelegationLoop = "delegation-loop";
    public const string DelegationChainTooLong = "delegation-chain-too-long";
    public const string ReferralOutsideDelegation = "referral-outside-delegation";
    public const string SiteNotAllowed = "site-not-allowed";
    public const string SiteAnswerInvalid = "site-answer-invalid";
    public const string WriteContention = "write-contention";
    public const string PrefixHomed = "prefix-homed";
    public const string InvalidSite = "invalid-site";
    public const string InvalidSites = "invalid-sites";
    public const string InvalidTtl = "invalid-ttl";
}
