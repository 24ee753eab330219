namespace Resolver.Handle;

/// <summary>
/// A message that does not follow the Handle protocol (RFC 3652 §2), with the response code to answer it with
/// (<see cref="ResponseCode.ProtocolError"/> unless said otherwise) and a message that names what is wrong.
/// </summary>
public sealed class HandleProtocolException : Exception
{
    /// <summary>A protocol error.</summary>
    public HandleProtocolException(string message) : this(ResponseCode.ProtocolError, message)
    {
    }

    /// <summary>An error answered with <paramref name="code"/>.</summary>
    public HandleProtocolException(int code, string message) : base(message) => Code = code;

    /// <summary>An unused constructor the analyzers ask for.</summary>
    public HandleProtocolException() : this("not a Handle protocol message")
    {
    }

    /// <summary>An unused constructor the analyzers ask for.</summary>
    public HandleProtocolException(string message, Exception innerException) : base(message, innerException) => Code = ResponseCode.ProtocolError;

    /// <summary>The response code the message is answered with.</summary>
    public int Code { get; }
}
