namespace Resolver.Federation;

/// <summary>How <see cref="GrpcSiteClient"/> connects to sites: a node sets them from its settings, the CLI from its own.</summary>
/// <param name="ConnectTimeout">Longest wait for a TCP (and TLS) connection to one endpoint.</param>
/// <param name="CaFile">PEM bundle of the only certificate authorities trusted for <c>https://</c> sites (a private PKI); empty: the system's roots.</param>
/// <param name="MaxReceiveBytes">Largest answer message read, in bytes; every record in it is checked against the reader's limits after.</param>
public sealed record GrpcSiteOptions(TimeSpan ConnectTimeout, string CaFile = "", int MaxReceiveBytes = 64 * 1024 * 1024);
