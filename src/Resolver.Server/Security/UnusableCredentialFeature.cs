using Resolver.Core.Errors;

namespace Resolver.Server.Security;

/// <summary>
/// Set on a request whose credential failed authentication (UNAUTHENTICATED) or could not be checked because the
/// store is unreachable (UNAVAILABLE). ASP.NET Core keeps only successful results, and such a credential must
/// not pass as anonymous.
/// </summary>
/// <param name="Problem">What to answer the caller.</param>
internal sealed record UnusableCredentialFeature(Problem Problem);
