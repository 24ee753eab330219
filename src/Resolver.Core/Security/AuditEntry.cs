namespace Resolver.Core.Security;

/// <summary>One write attempt, allowed or not, as the audit log keeps it.</summary>
/// <param name="Sequence">Position in the log (assigned by the store; 0 before).</param>
/// <param name="At">When.</param>
/// <param name="Actor">Who: "anonymous", "admin" or "enterprise:NAME".</param>
/// <param name="Operation">What: create, update, delete, home-prefix, create-enterprise, create-key, revoke-key, grant, revoke-grant.</param>
/// <param name="Target">The identifier, prefix, enterprise or key concerned.</param>
/// <param name="VersionBefore">The record version before, for record writes.</param>
/// <param name="VersionAfter">The record version after, for successful record writes.</param>
/// <param name="Outcome">"OK" or the status name of the refusal, e.g. "PERMISSION_DENIED".</param>
public sealed record AuditEntry(long Sequence, DateTimeOffset At, string Actor, string Operation, string Target, long? VersionBefore, long? VersionAfter, string Outcome);
