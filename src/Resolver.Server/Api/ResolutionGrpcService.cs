using System.Reflection;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Resolver.Core;
using Resolver.Core.Errors;
using Resolver.Core.Prefixes;
using Resolver.Core.Resolution;
using Resolver.Server.Configuration;
using Resolver.Server.Federation;
using Resolver.Server.Security;
using Resolver.Protocol.V1;
using Problem = Resolver.Core.Errors.Problem;
using PrefixKind = Resolver.Core.Prefixes.PrefixKind;

namespace Resolver.Server.Api;

/// <summary>The public resolution API: a thin adapter over <see cref="ResolutionService"/>.</summary>
[BindServiceMethod(typeof(ResolutionGrpcService), nameof(BindService))]
internal sealed class ResolutionGrpcService(
    ResolutionService resolution,
    PrefixDirectory prefixes,
    ResolverLimits limits,
    IOptions<LimitOptions> options,
    IOptions<SecurityOptions> security,
    CredentialRecheck recheck,
    IOptions<CacheTierOptions> cache,
    Draining draining) : Protocol.V1.Resolution.ResolutionBase
{
    /// <summary>The contract's description of the service, which JSON transcoding and reflection read from the binding.</summary>
    public static Google.Protobuf.Reflection.ServiceDescriptor Descriptor => Protocol.V1.Resolution.Descriptor;

    /// <summary>The generated binding, with the node's own marshallers (<see cref="ResolverServiceBinder"/>).</summary>
    public static void BindService(ServiceBinderBase binder, Protocol.V1.Resolution.ResolutionBase service) =>
        Protocol.V1.Resolution.BindService(new ResolverServiceBinder(binder, Descriptor), service);

    private static readonly string Version =
        typeof(ResolutionGrpcService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public override async Task<ResolveResult> Resolve(ResolveRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var outcome = await resolution.ResolveAsync(ProtoMapper.ToQuery(request), caller, context.GetCall().Read, context.CancellationToken).ConfigureAwait(false);
        // The expected failures of a unary resolve (not found, invalid) are thrown once, already as the status they are.
        return outcome.Problem is { } problem ? throw ProblemMapping.ToRpcException(problem) : ProtoMapper.ToProto(outcome);
    }

    public override async Task<BatchResolveResponse> BatchResolve(BatchResolveRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var outcomes = await resolution.ResolveAsync([.. request.Requests.Select(ProtoMapper.ToQuery)], caller, context.GetCall().Read, context.CancellationToken).ConfigureAwait(false);
        return BoundedBatchAnswer.Build(outcomes, options.Value.MaxMessageBytes);
    }

    public override async Task ResolveStream(IAsyncStreamReader<ResolveRequest> requestStream, IServerStreamWriter<ResolveResult> responseStream, ServerCallContext context)
    {
        // One answer per request, in request order. Requests that have already arrived are answered together: one read
        // through the resolution chain for all of them, their answers written with one flush, while the next request is
        // awaited; a request that arrives alone is answered alone, at once. The credential is checked again before each
        // group of answers: a revoked key or an expired token ends the call. A node that is shutting down ends the stream
        // with UNAVAILABLE before its drain bound, between two groups.
        var call = context.GetCall();
        var (caller, credential, read) = (call.Caller, call.Credential, call.Read);
        using var open = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, draining.StreamsMustEnd);
        var arrived = new List<ResolveQuery>(StreamGroup);
        var next = Task.FromResult(false);
        try
        {
            next = requestStream.MoveNext(open.Token);
            while (await next.ConfigureAwait(false))
            {
                arrived.Clear();
                do
                {
                    arrived.Add(ProtoMapper.ToQuery(requestStream.Current));
                    next = requestStream.MoveNext(open.Token);
                }
                while (next.IsCompletedSuccessfully && next.Result && arrived.Count < Math.Min(StreamGroup, limits.MaxBatchSize));

                await recheck.EnsureStillValidAsync(credential, context.CancellationToken).ConfigureAwait(false);
                var outcomes = await resolution.ResolveAsync(arrived, caller, read, context.CancellationToken).ConfigureAwait(false);
                var buffered = 0;
                for (var i = 0; i < outcomes.Length; i++)
                {
                    // Answers may wait in the buffer while they are few and small: the group's last one, or one that brings the
                    // buffer past StreamBufferBytes, flushes them all (records may be megabytes: never a group's worth held).
                    var answer = ProtoMapper.ToProto(outcomes[i]);
                    buffered += AnswerMarshallers.SizeOf(answer);
                    var flush = i == outcomes.Length - 1 || buffered >= StreamBufferBytes;
                    responseStream.WriteOptions = flush ? null : BufferedWrite;
                    await responseStream.WriteAsync(answer, open.Token).ConfigureAwait(false); // a reader that stopped must not outlast the drain
                    buffered = flush ? 0 : buffered;
                }
            }
        }
        catch (OperationCanceledException) when (draining.StreamsMustEnd.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            throw Draining.ShuttingDown();
        }
        finally
        {
            // A read still pending when the call ends early (a refused credential, a failed write) is cancelled; pending or
            // already failed, it is observed, so its failure is not reported as unobserved.
            if (!next.IsCompleted)
            {
                await open.CancelAsync().ConfigureAwait(false);
            }

            await next.ContinueWith(static read => read.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    // Most stream requests answered with one read through the chain (and never more than a batch may hold).
    private const int StreamGroup = 100;

    // Most answer bytes a stream holds back before flushing.
    private const int StreamBufferBytes = 64 * 1024;

    private static readonly WriteOptions BufferedWrite = new(WriteFlags.BufferHint);

    public override async Task<ServerInfo> GetServerInfo(GetServerInfoRequest request, ServerCallContext context)
    {
        // Anyone may ask, but a wrong or revoked credential is UNAUTHENTICATED here too, never taken for anonymous.
        _ = context.GetCaller();
        var settings = options.Value;
        var info = new ServerInfo
        {
            Version = Version,
            CaseSensitiveSuffix = settings.CaseSensitiveSuffix,
            Limits = new Limits
            {
                MaxBatchSize = limits.MaxBatchSize,
                MaxMessageBytes = settings.MaxMessageBytes,
                MaxIdentifierLength = settings.MaxIdentifierLength,
                MaxIdentifierBytes = Core.Identifiers.IdentifierSyntax.MaxBytes,
                MaxValuesPerRecord = limits.MaxValuesPerRecord,
                MaxValueBytes = limits.MaxValueBytes,
                RateLimitPerSecond = security.Value.RateLimitPerSecond,
                L1MaxBytes = cache.Value.L1MaxMb * 1024L * 1024,
            },
        };
        // The prefix table in memory, not a store query per call.
        var table = await prefixes.GetTableAsync(context.CancellationToken).ConfigureAwait(false);
        info.HomedPrefixes.AddRange(table.Entries.Where(e => e.Kind == PrefixKind.Homed).Select(e => e.Prefix));
        return info;
    }
}
