using System.Diagnostics;
using System.Net;
using Resolver.Core.Errors;
using Resolver.Core.Identifiers;
using Resolver.Core.Prefixes;
using Resolver.Core.Records;
using Resolver.Core.Resolution;
using Resolver.Handle;
using Resolver.Server.Calls;
using Resolver.Server.Telemetry;

namespace Resolver.Server.HandleWire;

/// <summary>
/// The Handle protocol's one call path (docs/handle-protocol.md): a request message → the node's
/// <see cref="CallPipeline"/> (rate limit, deadline; callers are anonymous, Handle authentication is not offered) →
/// the operation → one answer written into the buffer. Resolution goes through the same <see cref="ResolutionService"/>
/// as every other wire (grammar, chain, filters, visibility, limits); a prefix handle <c>0.NA/PREFIX</c> (or a slashless
/// name, RFC 3651 §3.2) is answered with the HS_SITE of whoever serves the prefix; every other operation is refused with
/// <see cref="ResponseCode.OperationNotSupported"/>. Both listeners (TCP, UDP) call <see cref="AnswerAsync"/>.
/// </summary>
internal sealed class HandleService(
    CallPipeline pipeline, ResolutionService resolution, PrefixDirectory prefixes, Recursion recursion, NodeSite site,
    ProblemClassifier problems, RequestMetrics metrics, TimeProvider time)
{
    /// <summary>The method labels of this wire, as metrics count them.</summary>
    public const string ResolutionMethod = "handle/resolution", SiteInfoMethod = "handle/site-info", UnsupportedMethod = "handle/unsupported", InvalidMethod = "handle/invalid";

    /// <summary>
    /// Answers <paramref name="request"/> into <paramref name="output"/> (envelope first). Never throws for what the
    /// request or the node did: every failure is classified once and answered with its code and a message.
    /// </summary>
    /// <returns>The response code answered.</returns>
    /// <exception cref="OperationCanceledException">The connection went away (<paramref name="cancellationToken"/>): nobody to answer.</exception>
    /// <param name="request">The request, read whole.</param>
    /// <param name="wire">The listener's wire name (<see cref="HandleListener.TcpWire"/>, <see cref="HandleListener.UdpWire"/>).</param>
    /// <param name="peer">The client's address (rate limits).</param>
    /// <param name="output">Where the answer is written, envelope first.</param>
    /// <param name="maxAnswerBytes">The largest answer the wire carries, in bytes sent (UDP: with every datagram's envelope); a larger record is refused before it is encoded.</param>
    /// <param name="cancellationToken">The client went away.</param>
    public async ValueTask<int> AnswerAsync(HandleMessage request, string wire, IPAddress? peer, MessageBuffer output, int maxAnswerBytes, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var answering = Answering.Message(request);
        var method = request.Header.OpCode switch
        {
            OpCode.Resolution => ResolutionMethod,
            OpCode.GetSiteInfo => SiteInfoMethod,
            _ => UnsupportedMethod,
        };
        var code = ResponseCode.Error;
        try
        {

            var call = await pipeline.AdmitAsync(new CallRequest(wire, method, Authorization: null, peer, Deadline: null, request.Header.RecursionCount, Unary: true), cancellationToken).ConfigureAwait(false);
            if (request.Envelope.SuggestedMajorVersion < HandleProtocol.MajorVersion
                || (request.Envelope.SuggestedMajorVersion == HandleProtocol.MajorVersion && request.Envelope.SuggestedMinorVersion < HandleProtocol.OldestMinorVersion))
            {
                throw new HandleProtocolException($"protocol {request.Envelope.SuggestedMajorVersion}.{request.Envelope.SuggestedMinorVersion} is not served: versions 2.1 to 2.11 are");
            }
            switch (request.Header.OpCode)
            {
                case OpCode.Resolution:
                    code = await ResolveAsync(ResolutionRequest.Read(request.Body.Span), request.Header.Flags, call, answering, output, (wire, maxAnswerBytes), cancellationToken).ConfigureAwait(false);
                    break;
                case OpCode.GetSiteInfo:
                    ResponseWriter.SiteInfo(output, answering, time.GetUtcNow(), site.Encoded);
                    code = ResponseCode.Success;
                    break;
                default:
                    code = ResponseCode.OperationNotSupported;
                    ResponseWriter.Error(output, answering, time.GetUtcNow(), code,
                        $"operation {request.Header.OpCode} ({OpCode.Name(request.Header.OpCode)}) is not served over the Handle protocol here: it resolves (1) and gives site information (2); write with the gRPC API or Handle.Net's REST API");
                    break;
            }
        }
        catch (HandleProtocolException exception)
        {
            code = exception.Code;
            ResponseWriter.Error(output, answering, time.GetUtcNow(), code, exception.Message);
        }
#pragma warning disable CA1031 // this wire's edge: classified once, answered with a Handle code
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            var problem = problems.Classify(exception, method);
            code = HandleOutcomes.CodeOf(problem);
            ResponseWriter.Error(output, answering, time.GetUtcNow(), code, problem.Message);
        }
        finally
        {
            metrics.Finished(method, HandleOutcomes.MetricsCodeOf(code), started);
        }

        return code;
    }

    /// <summary>Answers a message that could not be read as a request (RFC 3652 §2.2.2.2 PROTOCOL_ERROR), counted as <see cref="InvalidMethod"/>.</summary>
    public void AnswerUnreadable(in Answering answering, HandleProtocolException problem, MessageBuffer output)
    {
        metrics.Finished(InvalidMethod, HandleOutcomes.MetricsCodeOf(problem.Code), Stopwatch.GetTimestamp());
        ResponseWriter.Error(output, answering, time.GetUtcNow(), problem.Code, problem.Message);
    }

    private async ValueTask<int> ResolveAsync(ResolutionRequest request, OpFlags flags, AdmittedCall call, Answering answering, MessageBuffer output, (string Wire, int MaxBytes) bound, CancellationToken cancellationToken)
    {
        // RFC 3651 §3.2: a name without a slash is a prefix, whose handle is 0.NA/NAME.
        var name = request.Handle.Contains('/', StringComparison.Ordinal) ? request.Handle : HandleProtocol.PrefixHandlePrefix + request.Handle;
        var filter = new ValueFilter(request.Types, request.Indexes);
        if (name.StartsWith(HandleProtocol.PrefixHandlePrefix, StringComparison.OrdinalIgnoreCase))
        {
            return await PrefixSiteAsync(request.Handle, name[HandleProtocol.PrefixHandlePrefix.Length..], filter, answering, output, cancellationToken).ConfigureAwait(false);
        }

        // REC asks this node to resolve at the responsible site; without it, or on a node that does not recurse, a
        // delegated prefix is answered as a Handle.Net server answers for a prefix it does not home.
        var query = new ResolveQuery(name, filter, NoRecursion: !flags.HasFlag(OpFlags.Recursive));
        var outcome = await resolution.ResolveAsync(query, call.Caller, call.Read, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        switch (outcome)
        {
            case { Record: { } record }:
                if (record.Values.Count == 0)
                {
                    ResponseWriter.Error(output, answering, now, ResponseCode.ValuesNotFound, filter.Types.Count + filter.Indexes.Count == 0
                        ? $"{request.Handle} has no value this caller may see"
                        : $"{request.Handle} has no value of the types or indexes asked for that this caller may see");
                    return ResponseCode.ValuesNotFound;
                }

                if (AnswerBytes(request.Handle, record.Values, bound.Wire) is var size && size > bound.MaxBytes)
                {
                    // Refused before it is encoded: the record is bounded by the node's limits, not by this wire's.
                    var udp = bound.Wire == HandleListener.UdpWire;
                    ResponseWriter.Error(output, answering, now, ResponseCode.Error, udp
                        ? $"the answer is {size} bytes, more than this node sends over UDP ({bound.MaxBytes}): ask over TCP"
                        : $"the answer is {size} bytes, more than a Handle protocol message holds (256 KiB): read {request.Handle} with the gRPC API or Handle.Net's REST API",
                        udp ? EnvelopeFlags.Truncated : EnvelopeFlags.None);
                    return ResponseCode.Error;
                }

                ResponseWriter.Resolution(output, answering, now, request.Handle, record.Values);
                return ResponseCode.Success;
            case { Referral: { } referral }:
                ResponseWriter.Error(output, answering, now, ResponseCode.ServerNotResponsible,
                    $"prefix {referral.Prefix} is served by another site ({string.Join(", ", referral.Endpoints)}): ask there, find it with 0.NA/{referral.Prefix} HS_SITE, or set REC at a recursive node");
                return ResponseCode.ServerNotResponsible;
            default:
                var problem = outcome.Problem!;
                var code = HandleOutcomes.CodeOf(problem);
                ResponseWriter.Error(output, answering, now, code, problem.Message);
                return code;
        }
    }

    // Bytes a resolution answer takes on the wire: envelope(s), header, digest (at most 33), handle, values, credential.
    private static int AnswerBytes(string handle, IReadOnlyList<HandleValue> values, string wire)
    {
        long message = HandleProtocol.HeaderSize + 33 + 4 + System.Text.Encoding.UTF8.GetByteCount(handle) + 4 + 4;
        foreach (var value in values)
        {
            message += WireValue.Size(value);
        }

        var length = (int)Math.Min(message, int.MaxValue / 2);
        return wire == HandleListener.UdpWire ? Datagrams.WireBytes(length) : length + HandleProtocol.EnvelopeSize;
    }

    // The site of a prefix (RFC 3651 §3.2.2): this node's for what it serves, the delegation's for a prefix delegated to
    // Handle servers; a recursive node answers its own site for a prefix delegated to gRPC sites, since it resolves them.
    private async ValueTask<int> PrefixSiteAsync(string asked, string prefixText, ValueFilter filter, Answering answering, MessageBuffer output, CancellationToken cancellationToken)
    {
        if (!IdentifierParser.TryParsePrefix(prefixText, out var prefix, out var error))
        {
            ResponseWriter.Error(output, answering, time.GetUtcNow(), ResponseCode.InvalidHandle, $"{asked}: {error.Message}");
            return ResponseCode.InvalidHandle;
        }

        var table = await prefixes.GetTableAsync(cancellationToken).ConfigureAwait(false);
        var route = table.Route(prefix);
        HandleValue? value = route.Kind switch
        {
            RouteKind.Local => site.Value,
            RouteKind.Delegated when await NodeSite.OfEndpointsAsync(route.Authority!.Endpoints, cancellationToken).ConfigureAwait(false) is { } delegated =>
                NodeSite.SiteValue(delegated.Encode(), route.Authority.Ttl, route.Authority.CreatedAt),
            RouteKind.Delegated when recursion.Recursive => site.Value,
            _ => null,
        };
        var now = time.GetUtcNow();
        if (value is null)
        {
            var message = route.Kind == RouteKind.Delegated
                ? $"prefix {prefix} is delegated to a gRPC site ({string.Join(", ", route.Authority!.Endpoints)}), which has no Handle interface, and this node does not recurse"
                : $"prefix {prefix} is not served by this node";
            ResponseWriter.Error(output, answering, now, ResponseCode.ServerNotResponsible, message);
            return ResponseCode.ServerNotResponsible;
        }

        IReadOnlyList<HandleValue> values = filter.Apply([value]);
        if (values.Count == 0)
        {
            ResponseWriter.Error(output, answering, now, ResponseCode.ValuesNotFound, $"{asked} holds only its HS_SITE value (index {NodeSite.SiteValueIndex})");
            return ResponseCode.ValuesNotFound;
        }

        ResponseWriter.Resolution(output, answering, now, asked, values);
        return ResponseCode.Success;
    }
}
