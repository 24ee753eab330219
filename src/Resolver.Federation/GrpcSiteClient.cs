using Grpc.Core;
using Resolver.Protocol.V1;

namespace Resolver.Federation;

/// <summary>
/// The gRPC site client: one <c>BatchResolve</c> with <c>no_recursion</c> per ask, over the bounded pool of channels
/// (<see cref="SiteChannels"/>). The hop count travels in the <see cref="HopsHeader"/> request header and the credential as
/// a bearer token; what goes wrong is told in fixed words (<see cref="Unreachable"/>), never a .NET exception's text.
/// </summary>
public sealed class GrpcSiteClient(SiteChannels channels) : ISiteClient
{
    /// <summary>Request header carrying how many nodes a query has passed through (a node refuses past its <c>--max-hops</c>).</summary>
    public const string HopsHeader = "resolver-hops";

    /// <inheritdoc/>
    public IReadOnlyList<string> Schemes { get; } = ["http", "https"];

    /// <inheritdoc/>
    public async Task<SiteReply> AskAsync(SiteAsk ask, CancellationToken cancellationToken)
    {
        var request = new BatchResolveRequest();
        foreach (var question in ask.Questions)
        {
            var asked = new ResolveRequest { Identifier = question.Key, NoRecursion = true };
            asked.Types_.AddRange(question.Filter.Types);
            asked.Indexes.AddRange(question.Filter.Indexes);
            request.Requests.Add(asked);
        }

        var headers = new Metadata { { HopsHeader, ask.Hops.ToString(System.Globalization.CultureInfo.InvariantCulture) } };
        if (ask.Credential is { Length: > 0 } credential)
        {
            headers.Add("authorization", $"Bearer {credential}");
        }

        try
        {
            using var site = channels.Acquire(ask.Endpoint);
            var response = await site.Client.BatchResolveAsync(request, headers, ask.Deadline, cancellationToken).ConfigureAwait(false);
            return response.Results.Count == ask.Questions.Count
                ? SiteReply.Answered(response.Results)
                : SiteReply.Failed(SiteFailure.Unreachable($"it answered {response.Results.Count} results for {ask.Questions.Count} identifiers"));
        }
        catch (RpcException exception) when (exception.StatusCode == StatusCode.DeadlineExceeded)
        {
            return SiteReply.Failed(SiteFailure.TimedOut);
        }
        catch (RpcException exception) when (exception.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown or StatusCode.ResourceExhausted)
        {
            return SiteReply.Failed(SiteFailure.Unreachable(Unreachable(exception)));
        }
        catch (RpcException exception)
        {
            // The site refused the call itself (e.g. this node's credential): its words, unless grpc-dotnet made them up from an exception.
            return SiteReply.Failed(new SiteFailure(SiteFailureKind.Refused, SiteAnswers.Quoted(exception.Status.DebugException is null ? exception.Status.Detail : ""), (int)exception.StatusCode));
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or UriFormatException or HttpRequestException)
        {
            return SiteReply.Failed(SiteFailure.Unreachable("cannot be called"));
        }
    }

    /// <summary>Why a site could not be reached, in words of this node's own: never the text of a .NET exception (it names hosts and ports).</summary>
    public static string Unreachable(RpcException exception)
    {
        if (exception.StatusCode == StatusCode.DeadlineExceeded)
        {
            return SiteFailure.TimedOut.Words;
        }

        if (exception.StatusCode == StatusCode.ResourceExhausted)
        {
            return "its answer was too large";
        }

        if (exception.Status.DebugException is null)
        {
            return $"it answered {exception.StatusCode}: {SiteAnswers.Quoted(exception.Status.Detail)}";
        }

        for (Exception? cause = exception.Status.DebugException; cause is not null; cause = cause.InnerException)
        {
            switch (cause)
            {
                case HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError }:
                case System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.HostNotFound or System.Net.Sockets.SocketError.NoData }:
                    return "its host name does not resolve";
                case HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError }:
                case System.Security.Authentication.AuthenticationException:
                    return "TLS failed (certificate not trusted, or not TLS)";
                case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError }:
                case System.Net.Sockets.SocketException:
                    return "connection failed";
            }
        }

        return "the call failed";
    }
}
