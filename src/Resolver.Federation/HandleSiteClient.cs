using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Resolver.Core.Errors;
using Resolver.Core.Records;
using Resolver.Handle;
using Resolver.Protocol.V1;
using HandleValue = Resolver.Core.Records.HandleValue;
using Value = Resolver.Protocol.V1.Value;

namespace Resolver.Federation;

/// <summary>
/// The Handle site client (SPEC §4: a site may be a Handle server, <c>hdl://host:port</c>, a Handle.Net server or a
/// national-system node). The protocol has no batch: each identifier of an ask is one resolution request, all of them
/// pipelined on the endpoint's persistent TCP connection (<see cref="HandleSites"/>), at most
/// <see cref="HandleSites.MaxInFlight"/> at once, without REC so the server answers for itself. Each answer is
/// translated into resolver.v1 form for <see cref="SiteAnswers"/> to check like any site's: values as they came (HS_*
/// included, absolute TTLs as seconds left), 100 not registered, 301 not responsible (a lame delegation), anything else
/// a per-identifier failure in this node's words.
/// </summary>
public sealed class HandleSiteClient(HandleSites sites, TimeProvider time) : ISiteClient
{
    /// <inheritdoc/>
    public IReadOnlyList<string> Schemes { get; } = ["hdl"];

    /// <inheritdoc/>
    public async Task<SiteReply> AskAsync(SiteAsk ask, CancellationToken cancellationToken)
    {
        HandleClient client;
        try
        {
            client = sites.Acquire(ask.Endpoint);
        }
        catch (ArgumentException)
        {
            return SiteReply.Failed(SiteFailure.Unreachable("cannot be called"));
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Clamp(ask.Deadline - time.GetUtcNow().UtcDateTime));
        try
        {
            // PO as CNRI's own client sends it: a Handle.Net server answers a handle with non-public values 402 without it.
            var answers = await Task.WhenAll(ask.Questions.Select(async question =>
            {
                try
                {
                    var answer = await client.ResolveAsync(new ResolutionRequest(question.Key, question.Filter.Indexes, question.Filter.Types),
                        OpFlags.PublicOnly | OpFlags.CacheCertify, HandleTransport.Tcp, deadline.Token, ask.Hops).ConfigureAwait(false);
                    return ResultOf(question.Key, answer, ask.Endpoint);
                }
                catch (HandleProtocolException)
                {
                    // One unreadable answer fails its own identifier; the connection stays in step (HandleConnection).
                    return Status(question.Key, ErrorKind.Unavailable, Reasons.SiteAnswerInvalid, $"{ask.Endpoint} answered {question.Key} with something that is not a Handle protocol message", Prefix(question.Key));
                }
            })).ConfigureAwait(false);
            return SiteReply.Answered(answers);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return SiteReply.Failed(SiteFailure.TimedOut);
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException)
        {
            return SiteReply.Failed(SiteFailure.Unreachable("connection failed")); // also a client closed by HandleSites' bound under the ask
        }
    }

    private static string Prefix(string key) => key[..Math.Max(0, key.IndexOf('/', StringComparison.Ordinal))];

    private static TimeSpan Clamp(TimeSpan left) => left < TimeSpan.Zero ? TimeSpan.Zero : left > TimeSpan.FromMinutes(5) ? TimeSpan.FromMinutes(5) : left;

    /// <summary>One Handle answer in resolver.v1 form (unchecked: <see cref="SiteAnswers"/> checks it as any site's).</summary>
    public static ResolveResult ResultOf(string key, HandleResponse answer, string endpoint)
    {
        var prefix = Prefix(key);
        switch (answer.Code)
        {
            case ResponseCode.Success:
                var record = new Record { Identifier = answer.Handle ?? "" };
                record.Values.AddRange(answer.Values.Select(ValueOf));
                return new ResolveResult { Identifier = key, Record = record };
            case ResponseCode.ValuesNotFound:
                return new ResolveResult { Identifier = key, Record = new Record { Identifier = key } }; // registered, nothing of what was asked
            case ResponseCode.HandleNotFound:
                return Status(key, ErrorKind.NotFound, Reasons.IdentifierNotFound, $"identifier {key} is not registered at {endpoint}", prefix);
            case ResponseCode.ServerNotResponsible:
                return Status(key, ErrorKind.NotFound, Reasons.PrefixNotHomed, $"{endpoint} is not responsible for prefix {prefix}", prefix);
            case ResponseCode.InvalidHandle:
                return Status(key, ErrorKind.InvalidArgument, "invalid-identifier", $"{endpoint} says {key} is not a valid handle: {SiteAnswers.Quoted(answer.Message ?? "")}", prefix);
            default:
                return Status(key, ErrorKind.Unavailable, Reasons.SiteUnavailable, $"{endpoint} answered {ResponseCode.Name(answer.Code)} ({answer.Code}): {SiteAnswers.Quoted(answer.Message ?? "")}", prefix);
        }
    }

    private static ResolveResult Status(string key, ErrorKind kind, string reason, string message, string prefix) => new()
    {
        Identifier = key,
        Status = new ItemStatus { Code = (int)kind, Message = message, Problem = new Protocol.V1.Problem { Reason = reason, Prefix = prefix } },
    };

    private static Value ValueOf(HandleValue value)
    {
        var converted = new Value
        {
            Index = value.Index,
            Type = value.Type,
            Data = value.Data.Text is { } text ? new Protocol.V1.ValueData { Text = text } : new Protocol.V1.ValueData { Binary = ByteString.CopyFrom(value.Data.Bytes) },
            Ttl = value.Ttl,
            Timestamp = Timestamp.FromDateTimeOffset(value.Timestamp),
            Permissions = new Permissions
            {
                AdminRead = value.Permissions.HasFlag(ValuePermissions.AdminRead),
                AdminWrite = value.Permissions.HasFlag(ValuePermissions.AdminWrite),
                PublicRead = value.Permissions.HasFlag(ValuePermissions.PublicRead),
                PublicWrite = value.Permissions.HasFlag(ValuePermissions.PublicWrite),
            },
        };
        converted.References.AddRange(value.References.Select(r => new Reference { Identifier = r.Identifier, Index = r.Index }));
        return converted;
    }
}
