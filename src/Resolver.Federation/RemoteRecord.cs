using Resolver.Core.Records;
using Proto = Resolver.Protocol.V1;

namespace Resolver.Federation;

/// <summary>Values between resolver.v1 form and this node's model, both ways: translation only, the checks are <see cref="SiteAnswers"/>'.</summary>
public static class RemoteRecord
{
    /// <summary>The record <paramref name="record"/>, under this node's key for it; a value without permissions is public.</summary>
    /// <exception cref="InvalidOperationException">A timestamp outside 0001–9999 or not normalised (Google.Protobuf's check).</exception>
    /// <exception cref="ArgumentException">A timestamp Google.Protobuf refuses to convert.</exception>
    public static HandleRecord From(Proto.Record record, string key) => new(
        key,
        record.Identifier,
        record.Version,
        [.. record.Values.Select(value => new HandleValue(
            value.Index,
            value.Type,
            value.Data?.KindCase == Proto.ValueData.KindOneofCase.Binary ? ValueData.FromBytes(value.Data.Binary.Span) : ValueData.FromText(value.Data?.Text ?? ""),
            value.Ttl,
            value.Timestamp?.ToDateTimeOffset() ?? DateTimeOffset.UnixEpoch,
            value.Permissions is { } p ? PermissionsOf(p) : ValuePermissions.PublicRead,
            [.. value.References.Select(r => new ValueReference(r.Identifier, r.Index))]))],
        record.CreatedAt?.ToDateTimeOffset() ?? DateTimeOffset.UnixEpoch,
        record.UpdatedAt?.ToDateTimeOffset() ?? DateTimeOffset.UnixEpoch);

    /// <summary>
    /// <paramref name="value"/> in resolver.v1 form: what the server answers over gRPC and what the Handle site client and
    /// the CLI make of a Handle protocol answer.
    /// </summary>
    public static Proto.Value ToProto(HandleValue value)
    {
        var message = new Proto.Value
        {
            Index = value.Index,
            Type = value.Type,
            Data = value.Data.Text is { } text ? new Proto.ValueData { Text = text } : new Proto.ValueData { Binary = Google.Protobuf.ByteString.CopyFrom(value.Data.Bytes) },
            Ttl = value.Ttl,
            Timestamp = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(value.Timestamp),
            Permissions = new Proto.Permissions
            {
                AdminRead = value.Permissions.HasFlag(ValuePermissions.AdminRead),
                AdminWrite = value.Permissions.HasFlag(ValuePermissions.AdminWrite),
                PublicRead = value.Permissions.HasFlag(ValuePermissions.PublicRead),
                PublicWrite = value.Permissions.HasFlag(ValuePermissions.PublicWrite),
            },
        };
        foreach (var reference in value.References)
        {
            message.References.Add(new Proto.Reference { Identifier = reference.Identifier, Index = reference.Index });
        }

        return message;
    }

    /// <summary>The permission flags of a resolver.v1 value.</summary>
    public static ValuePermissions PermissionsOf(Proto.Permissions permissions) =>
        (permissions.AdminRead ? ValuePermissions.AdminRead : 0) |
        (permissions.AdminWrite ? ValuePermissions.AdminWrite : 0) |
        (permissions.PublicRead ? ValuePermissions.PublicRead : 0) |
        (permissions.PublicWrite ? ValuePermissions.PublicWrite : 0);
}
