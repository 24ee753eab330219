using System.Globalization;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Routing.Patterns;
using Resolver.Core.Errors;
using Resolver.Server.Api;
using Resolver.Server.Telemetry;

namespace Resolver.Server.Rest;

/// <summary>
/// What ASP.NET Core's gRPC JSON transcoding (<c>/v1/…</c>) leaves to its host, done before it binds a request:
/// <list type="bullet">
/// <item>An identifier path segment reads <c>%2F</c> as <c>/</c>, as <c>/api/handles</c> does: <c>GET /v1/identifiers/88.168.1%2FABC-001</c>
/// is what Swagger UI's "Try it out" and generated clients send for the OpenAPI parameter <c>identifier</c>. Routing
/// leaves <c>%2F</c> encoded (it cannot tell it from <c>%252F</c>), so the catch-all route value is decoded again from
/// the raw request target, once, as UTF-8.</item>
/// <item>Every query parameter is checked against the method's request message (SPEC §6: a parameter that does not parse
/// is a 400 naming it): a value that does not parse as its field's type, a non-repeated field given twice, or — on a
/// route whose whole message is the JSON body, or on a write — a parameter that names no field is INVALID_ARGUMENT
/// <c>invalid-parameter</c>. The transcoder would ignore those, and a misspelled <c>expectedVersion</c> would make a
/// conditional delete unconditional. A GET ignores unknown parameters (cache busters), as the transcoder does.</item>
/// </list>
/// Runs after admission: a refused caller is refused first, and every request counts against its rate limit.
/// </summary>
internal sealed class TranscodedRequests(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint() is not RouteEndpoint endpoint || endpoint.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is not { } transcoding)
        {
            return next(context);
        }

        DecodeEncodedSlashes(context, endpoint);
        if (RefusedParameter(context, transcoding) is { } problem)
        {
            RequestMetrics.SetStatus(context, Grpc.Core.StatusCode.InvalidArgument);
            return ProblemMapping.WriteJsonStatusAsync(context.Response, problem, context.RequestAborted);
        }

        return next(context);
    }

    // A catch-all route value ({identifier=**}) whose raw text has %2F: the raw text decoded once. Only when the route value
    // is exactly what routing made of that raw text (so a path the server normalised, e.g. with dot segments, is left as is).
    private static void DecodeEncodedSlashes(HttpContext context, RouteEndpoint endpoint)
    {
        var segments = endpoint.RoutePattern.PathSegments;
        if (segments.Count == 0 || segments[^1].Parts is not [RoutePatternParameterPart { IsCatchAll: true } catchAll])
        {
            return;
        }

        var rawPath = HandlePath.RawPath(context);
        if (!rawPath.Contains("%2F", StringComparison.OrdinalIgnoreCase) || context.Request.RouteValues[catchAll.Name] is not string routed)
        {
            return;
        }

        // The raw text of the catch-all: what follows the route's leading segments (literals in every /v1 route).
        var rawSegments = rawPath.Split('/');
        var leading = segments.Count - 1;
        if (rawSegments.Length < leading + 2)
        {
            return;
        }

        var rawValue = string.Join('/', rawSegments.Skip(leading + 1));
        if (HandlePath.TryPercentDecode(rawValue, out var asRouted, keepEncodedSlash: true) && asRouted == routed &&
            HandlePath.TryPercentDecode(rawValue, out var decoded))
        {
            context.Request.RouteValues[catchAll.Name] = decoded;
        }
    }

    private static Problem? RefusedParameter(HttpContext context, GrpcJsonTranscodingMetadata transcoding)
    {
        var query = context.Request.Query;
        if (query.Count == 0)
        {
            return null;
        }

        var route = $"{context.Request.Method} {RouteOf(transcoding)}";
        var message = transcoding.MethodDescriptor.InputType;
        var read = HttpMethods.IsGet(context.Request.Method);
        foreach (var (name, values) in query)
        {
            if (transcoding.HttpRule.Body == "*")
            {
                return Invalid($"parameter \"{Escaped(name)}\": {route} takes its fields in the JSON body, not in the query (docs/rest.md)");
            }

            var field = FieldOf(message, name, transcoding);
            if (field is null)
            {
                if (read)
                {
                    continue;
                }

                return Invalid($"parameter \"{Escaped(name)}\" is not one {route} takes: {string.Join(", ", QueryFields(message, transcoding))} (docs/rest.md)");
            }

            if (!field.IsRepeated && values.Count > 1)
            {
                return Invalid($"{Escaped(name)} is given {values.Count} times; it takes one value");
            }

            foreach (var value in values)
            {
                if (!Parses(field, value ?? ""))
                {
                    return Invalid($"{Escaped(name)}=\"{Escaped(value)}\" is not {Expected(field)}");
                }
            }
        }

        return null;
    }

    // The field a query parameter names, as the transcoder resolves it: dotted, each part a field's proto or JSON name;
    // none for the route's own parameters, the body's field, or a message-typed leaf.
    private static FieldDescriptor? FieldOf(MessageDescriptor message, string name, GrpcJsonTranscodingMetadata transcoding)
    {
        FieldDescriptor? field = null;
        var current = message;
        foreach (var part in name.Split('.'))
        {
            if (current is null)
            {
                return null;
            }

            field = current.FindFieldByName(part) ?? current.Fields.InDeclarationOrder().FirstOrDefault(f => f.JsonName == part);
            if (field is null)
            {
                return null;
            }

            current = field.FieldType == FieldType.Message ? field.MessageType : null;
        }

        var top = name.Split('.')[0];
        var bound = RouteParameters(transcoding).Contains(top) || (transcoding.HttpRule.Body.Length > 0 && transcoding.HttpRule.Body == top);
        return bound || field is null || field.FieldType == FieldType.Message || field.IsMap ? null : field;
    }

    private static IEnumerable<string> QueryFields(MessageDescriptor message, GrpcJsonTranscodingMetadata transcoding) =>
        message.Fields.InDeclarationOrder()
            .Where(f => f.FieldType != FieldType.Message && !RouteParameters(transcoding).Contains(f.Name))
            .Select(f => f.JsonName);

    // The message fields the route's path binds, e.g. "identifier" in /v1/records/{identifier=**}.
    private static HashSet<string> RouteParameters(GrpcJsonTranscodingMetadata transcoding)
    {
        var template = RouteOf(transcoding);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var start = template.IndexOf('{', StringComparison.Ordinal); start >= 0; start = template.IndexOf('{', start + 1))
        {
            var end = template.IndexOfAny(['=', '}'], start);
            names.Add(template[(start + 1)..end].Split('.')[0]);
        }

        return names;
    }

    private static string RouteOf(GrpcJsonTranscodingMetadata transcoding) => transcoding.HttpRule.PatternCase switch
    {
        Google.Api.HttpRule.PatternOneofCase.Get => transcoding.HttpRule.Get,
        Google.Api.HttpRule.PatternOneofCase.Post => transcoding.HttpRule.Post,
        Google.Api.HttpRule.PatternOneofCase.Put => transcoding.HttpRule.Put,
        Google.Api.HttpRule.PatternOneofCase.Patch => transcoding.HttpRule.Patch,
        Google.Api.HttpRule.PatternOneofCase.Delete => transcoding.HttpRule.Delete,
        _ => transcoding.HttpRule.Custom?.Path ?? "",
    };

    // What the transcoder's conversion (invariant culture) accepts for each scalar type.
    private static bool Parses(FieldDescriptor field, string value) => field.FieldType switch
    {
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        FieldType.UInt32 or FieldType.Fixed32 => uint.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        FieldType.UInt64 or FieldType.Fixed64 => ulong.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        FieldType.Float or FieldType.Double => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
        FieldType.Bool => bool.TryParse(value, out _),
        FieldType.Enum => field.EnumType.FindValueByName(value) is not null || int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        FieldType.Bytes => Convert.TryFromBase64String(value, new byte[value.Length], out _),
        _ => true,
    };

    private static string Expected(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => "a whole number (int32)",
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => "a whole number (int64)",
        FieldType.UInt32 or FieldType.Fixed32 => "a whole number from 0 (uint32)",
        FieldType.UInt64 or FieldType.Fixed64 => "a whole number from 0 (uint64)",
        FieldType.Float or FieldType.Double => "a number",
        FieldType.Bool => "true or false",
        FieldType.Enum => $"one of {string.Join(", ", field.EnumType.Values.Select(v => v.Name))}",
        FieldType.Bytes => "base64",
        _ => "text",
    };

    private static string Escaped(string? text) => Core.EscapedText.Of(text ?? "", maxLength: 40);

    private static Problem Invalid(string message) => new(ErrorKind.InvalidArgument, HandleQuery.InvalidParameterReason, message);
}
