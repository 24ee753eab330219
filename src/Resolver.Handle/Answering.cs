namespace Resolver.Handle;

/// <summary>
/// What an answer takes from the request it answers: the request and session ids to echo, the version to answer in,
/// the options to echo, and the bytes its digest is taken over when the request asked for one (RD).
/// </summary>
/// <param name="Envelope">The request's envelope.</param>
/// <param name="OpCode">The request's operation; 0 when the request could not be read that far.</param>
/// <param name="Flags">The request's options.</param>
/// <param name="RecursionCount">How many servers the request had passed.</param>
/// <param name="HeaderAndBody">The request's header and body, which RD digests; empty when unread.</param>
public readonly record struct Answering(MessageEnvelope Envelope, int OpCode, OpFlags Flags, byte RecursionCount, ReadOnlyMemory<byte> HeaderAndBody)
{
    /// <summary>The options an answer echoes (CNRI's <c>takeValuesFrom</c>); signing and encryption are not offered, so not echoed.</summary>
    private const OpFlags Echoed = OpFlags.Authoritative | OpFlags.CacheCertify | OpFlags.PublicOnly | OpFlags.DoNotRefer | OpFlags.ReturnRequestDigest;

    /// <summary>Answering a message read whole.</summary>
    public static Answering Message(HandleMessage request) =>
        new(request.Envelope, request.Header.OpCode, request.Header.Flags, request.Header.RecursionCount, request.HeaderAndBody);

    /// <summary>Answering a message of which only the envelope could be read.</summary>
    public static Answering EnvelopeOnly(MessageEnvelope envelope) => new(envelope, 0, OpFlags.None, 0, default);

    /// <summary>The version to answer in: the lower of the one the client suggests and this implementation's (2.11).</summary>
    public (byte Major, byte Minor) Version
    {
        get
        {
            var (major, minor) = (Envelope.SuggestedMajorVersion, Envelope.SuggestedMinorVersion);
            return major > HandleProtocol.MajorVersion || (major == HandleProtocol.MajorVersion && minor > HandleProtocol.MinorVersion)
                ? (HandleProtocol.MajorVersion, HandleProtocol.MinorVersion)
                : (major, minor);
        }
    }

    /// <summary>The options the answer carries.</summary>
    public OpFlags AnswerFlags => HeaderAndBody.IsEmpty ? OpFlags.None : Flags & Echoed;
}
