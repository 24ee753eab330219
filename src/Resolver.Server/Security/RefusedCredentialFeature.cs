namespace Resolver.Server.Security;

/// <summary>
/// Set on a request whose credential failed authentication, with the reason to tell the caller. ASP.NET Core keeps
/// only successful results (<c>IAuthenticateResultFeature</c>), and a failed credential must not pass as anonymous.
/// </summary>
/// <param name="Reason">Why the credential was refused, for the UNAUTHENTICATED message.</param>
internal sealed record RefusedCredentialFeature(string Reason);
