using System.Text;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Extensions;
using Microsoft.OpenApi.Models;
using Swashbuckle.AspNetCore.Swagger;

namespace Resolver.Server.Rest;

/// <summary>
/// The OpenAPI description of the HTTP surface (the Handle REST routes and the JSON transcoding of the Resolution and
/// Registry services), generated from the endpoints and the protos' comments by Swashbuckle with gRPC's description
/// provider (Microsoft.AspNetCore.Grpc.Swagger), and a viewer (Swagger UI) beside it.
/// </summary>
internal static class OpenApiDescription
{
    /// <summary>Where the document is served.</summary>
    public const string DocumentPath = "/openapi/v1.json";

    /// <summary>Where the viewer is served (<c>/openapi/</c>).</summary>
    public const string ViewerPrefix = "openapi";

    // The XML documentation of the contract (comments of the protos) and of the server (the REST routes' shapes).
    private static readonly string[] CommentFiles = ["Resolver.Protocol.xml", "Resolver.Server.xml"];

    public static IServiceCollection AddResolverOpenApi(this IServiceCollection services)
    {
        services.TryAddSingleton<OpenApiDocumentCache>();
        services.AddEndpointsApiExplorer();
        services.AddGrpcSwagger();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "Resolver HTTP API",
                Version = "v1",
                Description = "Handle.Net-compatible REST API under /api/handles and JSON transcoding of resolver.v1 under /v1 (docs/rest.md). "
                    + "Credentials: Authorization: Bearer <API key, admin token or JWT>; without them a caller is anonymous and sees public values only.",
            });
            // Protobuf's well-known types share names with the contract's (Value, Status): name schemas by their proto package.
            options.CustomSchemaIds(type => type.Namespace switch
            {
                "Resolver.Protocol.V1" => "resolver.v1." + type.Name,
                "Google.Protobuf.WellKnownTypes" => "google.protobuf." + type.Name,
                "Google.Rpc" => "google.rpc." + type.Name,
                _ => type.Name,
            });
            options.AddSecurityDefinition("bearer", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An enterprise API key (rk_…), the admin token, or a JWT",
            });
            foreach (var file in CommentFiles)
            {
                var path = Path.Combine(AppContext.BaseDirectory, file);
                if (File.Exists(path))
                {
                    options.IncludeXmlComments(path);
                    options.IncludeGrpcXmlComments(path, includeControllerXmlComments: true);
                }
            }
        });
        return services;
    }

    /// <summary>Serves the document at <see cref="DocumentPath"/> and the viewer at <c>/openapi/</c>.</summary>
    public static WebApplication MapResolverOpenApi(this WebApplication app)
    {
        app.UseSwaggerUI(options =>
        {
            options.RoutePrefix = ViewerPrefix;
            options.SwaggerEndpoint(DocumentPath, "Resolver HTTP API");
        });
        app.MapGet(DocumentPath, (OpenApiDocumentCache document) => Results.Bytes(document.Json, "application/json; charset=utf-8"))
            .ExcludeFromDescription()
            .RequireCors(CrossOriginReads.Policy);
        return app;
    }
}

/// <summary>
/// The OpenAPI document, generated and serialized once, on its first request: the HTTP surface is fixed once the server
/// runs, and Swashbuckle's own middleware (<c>MapSwagger</c>) generates it again on every request, 26–37 ms of CPU each
/// (issue 25). JSON, OpenAPI 3.0, as Swashbuckle writes it.
/// </summary>
internal sealed class OpenApiDocumentCache
{
    private readonly Lazy<byte[]> _json;
    private int _builds;

    public OpenApiDocumentCache(ISwaggerProvider generator) => _json = new(() =>
    {
        Interlocked.Increment(ref _builds);
        return Encoding.UTF8.GetBytes(generator.GetSwagger("v1").SerializeAsJson(OpenApiSpecVersion.OpenApi3_0));
    });

    /// <summary>The document as UTF-8 JSON; the same array every time.</summary>
    public byte[] Json => _json.Value;

    /// <summary>How many times the document was generated: at most once.</summary>
    public int Builds => Volatile.Read(ref _builds);
}
