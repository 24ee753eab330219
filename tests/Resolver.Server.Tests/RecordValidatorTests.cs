using System.Net;
using System.Text;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Resolver.Core.Registry;
using Resolver.Core.Security;
using Resolver.Protocol.V1;
using CoreErrorKind = Resolver.Core.Errors.ErrorKind;
using CoreProblem = Resolver.Core.Errors.Problem;

namespace Resolver.Server.Tests;

/// <summary>
/// A validator registered in the server (<see cref="IRecordValidator"/>) judges every write path: gRPC create, update and
/// bulk upsert, the JSON transcoding and the Handle REST PUT; its refusal reaches each wire with its message and changes nothing.
/// </summary>
public sealed class RecordValidatorTests : IAsyncLifetime
{
    private const string Message = "value type forbidden is not in template 88.168.1/T-1 version 1";

    private TestServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await TestServer.StartAsync(services => services.AddSingleton<IRecordValidator, ForbiddenTypeValidator>());
        await _server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Grpc_CreateAndUpdateRefusedByTheValidator_AreInvalidArgumentWithItsMessageAndChangeNothing()
    {
        var create = new CreateRecordRequest { Identifier = "88.168.1/G" };
        create.Values.Add(Text("forbidden", "x"));
        var refusedCreate = await Assert.ThrowsAsync<RpcException>(() => _server.Registry.CreateRecordAsync(create, cancellationToken: Ct).ResponseAsync);
        var allowed = new CreateRecordRequest { Identifier = "88.168.1/G" };
        allowed.Values.Add(Text("URL", "https://g"));
        await _server.Registry.CreateRecordAsync(allowed, cancellationToken: Ct);
        var update = new UpdateRecordRequest { Identifier = "88.168.1/G" };
        update.Values.Add(Text("forbidden", "x"));
        var refusedUpdate = await Assert.ThrowsAsync<RpcException>(() => _server.Registry.UpdateRecordAsync(update, cancellationToken: Ct).ResponseAsync);

        Assert.Equal((StatusCode.InvalidArgument, Message), (refusedCreate.StatusCode, refusedCreate.Status.Detail));
        Assert.Equal((StatusCode.InvalidArgument, Message), (refusedUpdate.StatusCode, refusedUpdate.Status.Detail));
        Assert.Equal(1, (await _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/G" }, cancellationToken: Ct)).Version);
    }

    [Fact]
    public async Task BulkUpsert_OneItemRefusedByTheValidator_FailsThatItemOnly()
    {
        var good = new UpsertRecordRequest { Identifier = "88.168.1/B1", Values = { Text("URL", "https://b1") } };
        var bad = new UpsertRecordRequest { Identifier = "88.168.1/B2", Values = { Text("forbidden", "x") } };

        var results = await BulkUpsertTests.BulkAsync(_server.Registry, [good, bad]);

        Assert.Equal([UpsertOutcome.Created, UpsertOutcome.Failed], results.Select(r => r.Outcome));
        Assert.Equal(((int)StatusCode.InvalidArgument, Message), (results[1].Status.Code, results[1].Status.Message));
    }

    [Fact]
    public async Task Http_TranscodedCreateAndHandlePutRefusedByTheValidator_Are400AndChangeNothing()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_server.HttpAddress) };
        using var transcoded = new HttpRequestMessage(HttpMethod.Post, "/v1/records")
        {
            Content = new StringContent("""{"identifier":"88.168.1/J","values":[{"type":"forbidden","data":{"text":"x"}}]}""", Encoding.UTF8, "application/json"),
        };
        transcoded.Headers.Authorization = new("Bearer", TestServer.AdminToken);
        using var handlePut = new HttpRequestMessage(HttpMethod.Put, "/api/handles/88.168.1/H")
        {
            Content = new StringContent("""[{"index":1,"type":"forbidden","data":"x"}]""", Encoding.UTF8, "application/json"),
        };
        handlePut.Headers.Authorization = new("Bearer", TestServer.AdminToken);

        using var transcodedAnswer = await http.SendAsync(transcoded, Ct);
        using var handleAnswer = await http.SendAsync(handlePut, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, transcodedAnswer.StatusCode);
        Assert.Contains(Message, await transcodedAnswer.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, handleAnswer.StatusCode);
        Assert.Contains(Message, await handleAnswer.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        foreach (var identifier in new[] { "88.168.1/J", "88.168.1/H" })
        {
            var missing = await Assert.ThrowsAsync<RpcException>(() => _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = identifier }, cancellationToken: Ct).ResponseAsync);
            Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        }
    }

    private static Value Text(string type, string text) => new() { Type = type, Data = new ValueData { Text = text } };

    /// <summary>Stands in for a metadata template: refuses any record holding a value of type <c>forbidden</c>.</summary>
    private sealed class ForbiddenTypeValidator : IRecordValidator
    {
        public ValueTask<IReadOnlyList<CoreProblem?>> ValidateAsync(Caller caller, IReadOnlyList<RecordChange> changes, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<CoreProblem?>>([.. changes.Select(change =>
                change.After.Values.Any(v => v.Type == "forbidden") ? new CoreProblem(CoreErrorKind.InvalidArgument, "template-item-invalid", Message) : null)]);
    }
}
