using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Resolver.Core.Errors;
using Resolver.Core.Prefixes;
using Resolver.Core.Records;
using Resolver.Core.Registry;
using Resolver.Core.Resolution;
using Resolver.Federation;
using Proto = Resolver.Protocol.V1;

namespace Resolver.Server.Api;

/// <summary>Translates between the core model and the resolver.v1 messages; no logic beyond the translation.</summary>
internal static class ProtoMapper
{
    public static Proto.Record ToProto(HandleRecord record)
    {
        var message = new Proto.Record
        {
            Identifier = record.Identifier,
            Version = record.Version,
            CreatedAt = Timestamp.FromDateTimeOffset(record.CreatedAt),
            UpdatedAt = Timestamp.FromDateTimeOffset(record.UpdatedAt),
        };
        foreach (var value in record.Values)
        {
            message.Values.Add(ToProto(value));
        }

        return message;
    }

    public static Proto.Value ToProto(HandleValue value) => Resolver.Federation.RemoteRecord.ToProto(value);

    public static IReadOnlyList<ValueDraft> ToDrafts(IReadOnlyList<Proto.Value> values)
    {
        var drafts = new ValueDraft[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            var data = value.Data?.KindCase switch
            {
                Proto.ValueData.KindOneofCase.Text => ValueData.FromText(value.Data.Text),
                Proto.ValueData.KindOneofCase.Binary => ValueData.FromBytes(value.Data.Binary.Span),
                _ => throw new ResolverException(new Problem(ErrorKind.InvalidArgument, Reasons.InvalidValue, $"value {i + 1} ({value.Type}) has no data: set data.text or data.binary")),
            };
            drafts[i] = new ValueDraft(
                value.Index,
                value.Type,
                data,
                value.HasTtl ? value.Ttl : null,
                value.Permissions is { } p ? RemoteRecord.PermissionsOf(p) : null,
                value.References.Count == 0 ? null : [.. value.References.Select(r => new ValueReference(r.Identifier, r.Index))]);
        }

        return drafts;
    }

    public static Proto.ResolveResult ToProto(ResolveOutcome outcome)
    {
        var result = new Proto.ResolveResult { Identifier = outcome.Identifier, Stale = outcome.Stale };
        if (outcome.Problem is { } problem)
        {
            result.Status = new Proto.ItemStatus { Code = (int)problem.Kind, Message = problem.Message, Problem = ToProto(problem) };
        }
        else if (outcome.Referral is { } referral)
        {
            result.Status = new Proto.ItemStatus();
            result.Referral = new Proto.Referral { Prefix = referral.Prefix, Ttl = referral.Ttl };
            result.Referral.Endpoints.AddRange(referral.Endpoints);
        }
        else
        {
            result.Status = new Proto.ItemStatus();
            result.Record = RecordAnswers.Of(outcome.Record!, outcome.HeldByL1);
        }

        AddTrace(result, outcome.Trace);
        return result;
    }

    /// <summary>The hops an identifier's resolution went through (docs/federation.md), onto its result; nothing when null.</summary>
    public static void AddTrace(Proto.ResolveResult result, IReadOnlyList<Hop>? trace)
    {
        foreach (var hop in trace ?? [])
        {
            result.Trace.Add(new Proto.Hop { Endpoint = hop.Endpoint, Prefix = hop.Prefix, Code = hop.Code, Cached = hop.Cached, Elapsed = Duration.FromTimeSpan(hop.Elapsed) });
        }
    }

    public static Proto.Problem ToProto(Problem problem)
    {
        var message = new Proto.Problem { Reason = problem.Reason, Position = problem.Position, Prefix = problem.Prefix ?? "" };
        if (problem.DeletedAt is { } deletedAt)
        {
            message.DeletedAt = Timestamp.FromDateTimeOffset(deletedAt);
        }

        return message;
    }

    public static Proto.PrefixInfo ToProto(PrefixEntry entry)
    {
        var message = new Proto.PrefixInfo
        {
            Prefix = entry.Prefix,
            Kind = entry.Kind == PrefixKind.Homed ? Proto.PrefixKind.Homed : Proto.PrefixKind.Delegated,
            CreatedAt = Timestamp.FromDateTimeOffset(entry.CreatedAt),
            Owner = entry.Owner ?? "",
            Ttl = entry.Kind == PrefixKind.Delegated ? entry.Ttl : 0,
        };
        message.Endpoints.AddRange(entry.Endpoints);
        return message;
    }

    public static ResolveQuery ToQuery(Proto.ResolveRequest request) =>
        new(request.Identifier, request.Types_.Count == 0 && request.Indexes.Count == 0 ? ValueFilter.All : new ValueFilter([.. request.Types_], [.. request.Indexes]), request.NoRecursion);
}
