using System.Net;
using System.Text;
using Grpc.Core;
using Resolver.Protocol.V1;

namespace Resolver.Server.Tests;

/// <summary>
/// Industry metadata templates on a real node (SPEC §6a, docs/templates.md): published by the administrator for the industry
/// prefix 88.168 as an ordinary record, used by an enterprise under 88.168.1, and judged on every write path (gRPC, bulk,
/// Handle REST), by item and rule; versions are immutable and records keep theirs.
/// </summary>
public sealed class TemplateTests : IAsyncLifetime
{
    internal const string Template = "88.168/TPL.PART";

    // The template: a required string, a number with a minimum and a scale, a required date, an enum and an identifier reference.
    internal static readonly string Version1 = Definition(1, """
        {"index": 2001, "code": "manufacturer", "names": {"zh": "制造商", "en": "Manufacturer"}, "dataType": "string", "required": true, "maxLength": 16, "pattern": "[A-Z][A-Za-z ]*"},
        {"index": 2002, "code": "weight", "names": {"zh": "重量", "en": "Weight"}, "dataType": "number", "min": 0, "scale": 3},
        {"index": 2003, "code": "produced", "names": {"zh": "生产日期", "en": "Production date"}, "dataType": "date", "format": "yyyy-MM-dd", "required": true},
        {"index": 2004, "code": "grade", "names": {"zh": "等级", "en": "Grade"}, "dataType": "enum", "values": ["A", "B", "C"]},
        {"index": 2005, "code": "lot", "names": {"zh": "批次标识", "en": "Lot identifier"}, "dataType": "identifier"}
        """);

    private TestServer _server = null!;
    private string _acme = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        await _server.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168" }, cancellationToken: Ct);
        _acme = (await _server.Admin.CreateEnterpriseAsync(new CreateEnterpriseRequest { Name = "acme", Prefix = "88.168.1" }, cancellationToken: Ct)).ApiKey;
        await PublishAsync(_server, Version1);
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Create_ConformingRecordOfAnEnterprise_UnderTheIndustrysTemplate_IsRegistered()
    {
        var record = await AcmeRegistry.CreateRecordAsync(Part("88.168.1/P-1", Conforming()), cancellationToken: Ct);

        Assert.Equal(1, record.Version);
        Assert.Equal($"{Template}@1", record.Values.Single(v => v.Type == "TEMPLATE").Data.Text);
    }

    [Theory]
    [InlineData("weight", "12,5kg", "item weight (index 2002): \"12,5kg\" is not a number")]
    [InlineData("weight", "-1", "item weight (index 2002): -1 is below the minimum 0")]
    [InlineData("weight", "1.2345", "item weight (index 2002): 1.2345 has 4 digits after the decimal point; at most 3")]
    [InlineData("produced", "02/01/2026", "item produced (index 2003): \"02/01/2026\" is not a date in the format yyyy-MM-dd")]
    [InlineData("grade", "D", "item grade (index 2004): \"D\" is not one of A, B, C")]
    [InlineData("lot", "no-slash", "item lot (index 2005): \"no-slash\" is not an identifier")]
    [InlineData("manufacturer", "acme", "item manufacturer (index 2001): \"acme\" does not match the pattern [A-Z][A-Za-z ]*")]
    [InlineData("manufacturer", "Acme Industrial Works", "item manufacturer (index 2001): \"Acme Industrial Works\" has 21 characters; at most 16")]
    [InlineData("colour", "red", "value 2100 has type colour, which no item of the template names (and it allows no extra items)")]
    public async Task Create_EachRuleBroken_IsRefusedNamingTheItemAndTheRule(string code, string text, string expected)
    {
        var values = Conforming().Where(v => v.Type != code).Append(Item(code == "colour" ? 2100 : IndexOf(code), code, text));

        var refused = await Assert.ThrowsAsync<RpcException>(() => AcmeRegistry.CreateRecordAsync(Part("88.168.1/P-BAD", values), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.StartsWith($"88.168.1/P-BAD does not conform to template {Template}@1: ", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Contains(expected, refused.Status.Detail, StringComparison.Ordinal);
        await AssertMissingAsync("88.168.1/P-BAD");
    }

    [Fact]
    public async Task Create_RequiredItemMissingAndAValueAtAnotherItemsIndex_NamesBoth()
    {
        var values = Conforming().Where(v => v.Type != "produced" && v.Type != "grade").Append(Item(2004, "weight", "3"));

        var refused = await Assert.ThrowsAsync<RpcException>(() => AcmeRegistry.CreateRecordAsync(Part("88.168.1/P-2", values), cancellationToken: Ct).ResponseAsync);

        Assert.Contains("item weight (index 2004): given more than once, and it does not repeat", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("item produced (index 2003) is required and missing", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_UnpublishedTemplateOrVersion_IsFailedPreconditionNamingIt()
    {
        var noTemplate = await Assert.ThrowsAsync<RpcException>(() => AcmeRegistry.CreateRecordAsync(Part("88.168.1/P-3", Conforming(), "88.168/TPL.NONE@1"), cancellationToken: Ct).ResponseAsync);
        var noVersion = await Assert.ThrowsAsync<RpcException>(() => AcmeRegistry.CreateRecordAsync(Part("88.168.1/P-3", Conforming(), $"{Template}@7"), cancellationToken: Ct).ResponseAsync);
        var unreadable = await Assert.ThrowsAsync<RpcException>(() => AcmeRegistry.CreateRecordAsync(Part("88.168.1/P-3", Conforming(), Template), cancellationToken: Ct).ResponseAsync);

        Assert.Equal((StatusCode.FailedPrecondition, true), (noTemplate.StatusCode, noTemplate.Status.Detail.StartsWith("template 88.168/TPL.NONE is not published", StringComparison.Ordinal)));
        Assert.Equal((StatusCode.FailedPrecondition, $"template {Template} has no published version 7; its versions: 1"), (noVersion.StatusCode, noVersion.Status.Detail));
        Assert.Equal(StatusCode.InvalidArgument, unreadable.StatusCode);
        Assert.Contains("not IDENTIFIER@VERSION", unreadable.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BulkUpsert_GoodAndBadItems_FailsTheBadOnesByItemAndWritesTheRest()
    {
        UpsertRecordRequest Upsert(string id, IEnumerable<Value> values) => new() { Identifier = id, Values = { Part(id, values).Values } };
        var good = Upsert("88.168.1/B-1", Conforming());
        var bad = Upsert("88.168.1/B-2", Conforming().Where(v => v.Type != "weight").Append(Item(2002, "weight", "heavy")));
        var alsoGood = Upsert("88.168.1/B-3", Conforming());

        var results = await BulkUpsertTests.BulkAsync(new Registry.RegistryClient(_server.As(_acme)), [good, bad, alsoGood]);

        Assert.Equal([UpsertOutcome.Created, UpsertOutcome.Failed, UpsertOutcome.Created], results.Select(r => r.Outcome));
        Assert.Equal((int)StatusCode.InvalidArgument, results[1].Status.Code);
        Assert.Contains("item weight (index 2002): \"heavy\" is not a number", results[1].Status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleRestPut_NonConforming_Is400WithTheItemsRule()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_server.HttpAddress) };
        using var put = new HttpRequestMessage(HttpMethod.Put, "/api/handles/88.168.1/R-1")
        {
            Content = new StringContent($$"""
                [{"index":1001,"type":"TEMPLATE","data":"{{Template}}@1"},{"index":2001,"type":"manufacturer","data":"Acme"},
                 {"index":2003,"type":"produced","data":"2026-13-45"}]
                """, Encoding.UTF8, "application/json"),
        };
        put.Headers.Authorization = new("Bearer", _acme);

        using var answer = await http.SendAsync(put, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        using var body = System.Text.Json.JsonDocument.Parse(await answer.Content.ReadAsStringAsync(Ct));
        Assert.Contains("item produced (index 2003): \"2026-13-45\" is not a date in the format yyyy-MM-dd", body.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        await AssertMissingAsync("88.168.1/R-1");
    }

    [Fact]
    public async Task HandleRestGet_WithLang_NamesEachItemInThatLanguage_AndOnlyThen()
    {
        await AcmeRegistry.CreateRecordAsync(Part("88.168.1/N-1", Conforming()), cancellationToken: Ct);
        using var http = new HttpClient { BaseAddress = new Uri(_server.HttpAddress) };

        async Task<Dictionary<string, string?>> NamesAsync(string query)
        {
            using var answer = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"/api/handles/88.168.1/N-1{query}", Ct));
            return answer.RootElement.GetProperty("values").EnumerateArray().ToDictionary(
                v => v.GetProperty("type").GetString()!, v => v.TryGetProperty("name", out var name) ? name.GetString() : null);
        }

        var zh = await NamesAsync("?lang=zh");
        var en = await NamesAsync("?lang=en");
        var plain = await NamesAsync("");
        using var refused = await http.GetAsync("/api/handles/88.168.1/N-1?lang=fr", Ct);

        Assert.Equal(("重量", "生产日期", null), (zh["weight"], zh["produced"], zh["TEMPLATE"]));
        Assert.Equal(("Weight", "Lot identifier"), (en["weight"], en["lot"]));
        Assert.All(plain.Values, Assert.Null); // Handle.Net's answer, unchanged, without lang
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    [Fact]
    public async Task Version2_RecordsOnVersion1StayValidAndUpdateAgainstIt_UntilAnUpdateMovesThem()
    {
        await AcmeRegistry.CreateRecordAsync(Part("88.168.1/V-1", Conforming()), cancellationToken: Ct);
        // Version 2 requires a serial number that version-1 records do not have.
        await PublishAsync(_server, Definition(2, """
            {"index": 2001, "code": "manufacturer", "dataType": "string", "required": true},
            {"index": 2003, "code": "produced", "dataType": "date", "required": true},
            {"index": 2006, "code": "serial", "dataType": "string", "required": true, "minLength": 4}
            """));

        var stillOnVersion1 = await AcmeRegistry.UpdateRecordAsync(new UpdateRecordRequest { Identifier = "88.168.1/V-1", Values = { Item(2002, "weight", "7.5") } }, cancellationToken: Ct);
        var moveWithoutSerial = await Assert.ThrowsAsync<RpcException>(() => AcmeRegistry.UpdateRecordAsync(
            new UpdateRecordRequest { Identifier = "88.168.1/V-1", Values = { Reference($"{Template}@2") } }, cancellationToken: Ct).ResponseAsync);
        var moved = await AcmeRegistry.UpdateRecordAsync(new UpdateRecordRequest
        {
            Identifier = "88.168.1/V-1",
            Values = { Reference($"{Template}@2"), Item(2006, "serial", "SN-0001") },
            RemoveIndexes = { 2002, 2004, 2005 }, // version 2 has no weight, grade or lot
        }, cancellationToken: Ct);

        Assert.Equal(2, stillOnVersion1.Version);
        Assert.Contains("does not conform to template 88.168/TPL.PART@2: ", moveWithoutSerial.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("item serial (index 2006) is required and missing", moveWithoutSerial.Status.Detail, StringComparison.Ordinal);
        Assert.Equal($"{Template}@2", moved.Values.Single(v => v.Type == "TEMPLATE").Data.Text);
    }

    [Fact]
    public async Task PrivateItem_ValueWrittenWithoutPermissions_IsPrivateOnEveryWritePath_UnlessTheWriterGivesSome()
    {
        // Version 2: the weight is private (docs/templates.md, "private").
        await PublishAsync(_server, Definition(2, Version1[(Version1.IndexOf('[', StringComparison.Ordinal) + 1)..Version1.LastIndexOf(']')]
            .Replace("\"dataType\": \"number\"", "\"private\": true, \"dataType\": \"number\"", StringComparison.Ordinal)));
        var v2 = $"{Template}@2";
        var explicitlyPublic = Conforming().Select(v => v.Type == "weight" ? new Value(v) { Permissions = new Permissions { AdminRead = true, AdminWrite = true, PublicRead = true } } : v);

        var created = await AcmeRegistry.CreateRecordAsync(Part("88.168.1/W-1", Conforming(), v2), cancellationToken: Ct);
        var chosen = await AcmeRegistry.CreateRecordAsync(Part("88.168.1/W-2", explicitlyPublic, v2), cancellationToken: Ct);
        var onVersion1 = await AcmeRegistry.CreateRecordAsync(Part("88.168.1/W-3", Conforming()), cancellationToken: Ct);
        var rewritten = await AcmeRegistry.UpdateRecordAsync(new UpdateRecordRequest { Identifier = "88.168.1/W-2", RemoveIndexes = { 2002 }, Values = { Item(2002, "weight", "8") } }, cancellationToken: Ct);
        var upsert = new UpsertRecordRequest { Identifier = "88.168.1/W-4", Values = { Part("88.168.1/W-4", Conforming(), v2).Values } };
        var upserted = (await BulkUpsertTests.BulkAsync(new Registry.RegistryClient(_server.As(_acme)), [upsert]))[0];
        var upsertedAgain = (await BulkUpsertTests.BulkAsync(new Registry.RegistryClient(_server.As(_acme)), [upsert]))[0];
        var templateRemoved = await AcmeRegistry.UpdateRecordAsync(new UpdateRecordRequest { Identifier = "88.168.1/W-2", RemoveIndexes = { 1001, 2002 }, Values = { Item(2002, "weight", "9") } }, cancellationToken: Ct);
        using var http = new HttpClient { BaseAddress = new Uri(_server.HttpAddress) };
        using var put = new HttpRequestMessage(HttpMethod.Put, "/api/handles/88.168.1/W-5")
        {
            Content = new StringContent($$"""
                [{"index":1001,"type":"TEMPLATE","data":"{{v2}}"},{"index":2001,"type":"manufacturer","data":"Acme"},
                 {"index":2002,"type":"weight","data":"3"},{"index":2003,"type":"produced","data":"2026-01-02"}]
                """, Encoding.UTF8, "application/json"),
        };
        put.Headers.Authorization = new("Bearer", _acme);
        using var rest = await http.SendAsync(put, Ct);
        var viaRest = await _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/W-5" }, cancellationToken: Ct);
        var anonymous = await new Resolution.ResolutionClient(_server.Channel).ResolveAsync(new ResolveRequest { Identifier = "88.168.1/W-1" }, cancellationToken: Ct);

        static bool PublicWeight(Resolver.Protocol.V1.Record record) => record.Values.Single(v => v.Type == "weight").Permissions.PublicRead;
        Assert.Equal(HttpStatusCode.Created, rest.StatusCode);
        Assert.Equal((false, true, true), (PublicWeight(created), PublicWeight(chosen), PublicWeight(onVersion1)));
        Assert.True(created.Values.Single(v => v.Type == "weight").Permissions is { AdminRead: true, AdminWrite: true, PublicWrite: false });
        Assert.True(created.Values.Single(v => v.Type == "manufacturer").Permissions.PublicRead); // items not private stay public
        Assert.False(PublicWeight(rewritten)); // a new value, under the template the record declares
        Assert.Equal((UpsertOutcome.Created, UpsertOutcome.Unchanged), (upserted.Outcome, upsertedAgain.Outcome)); // a re-import writes nothing
        Assert.False(PublicWeight(await _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = "88.168.1/W-4" }, cancellationToken: Ct)));
        Assert.False(PublicWeight(viaRest));
        Assert.True(PublicWeight(templateRemoved)); // the update removed the record's template: no item governs the value
        Assert.DoesNotContain(anonymous.Record.Values, v => v.Type == "weight");
    }

    [Fact]
    public async Task PublishedVersion_ChangedOrRemoved_IsRefusedAsImmutable()
    {
        var current = await _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = Template }, cancellationToken: Ct);
        var definition = current.Values.Single(v => v.Type == "TEMPLATE_DEFINITION");
        var changed = await Assert.ThrowsAsync<RpcException>(() => _server.Registry.UpdateRecordAsync(new UpdateRecordRequest
        {
            Identifier = Template,
            Values = { new Value { Index = definition.Index, Type = "TEMPLATE_DEFINITION", Data = new ValueData { Text = definition.Data.Text.Replace("\"maxLength\": 16", "\"maxLength\": 32", StringComparison.Ordinal) } } },
        }, cancellationToken: Ct).ResponseAsync);
        var removed = await Assert.ThrowsAsync<RpcException>(() => _server.Registry.UpdateRecordAsync(
            new UpdateRecordRequest { Identifier = Template, RemoveIndexes = { definition.Index } }, cancellationToken: Ct).ResponseAsync);

        Assert.Contains("\"maxLength\": 16", definition.Data.Text, StringComparison.Ordinal); // the change above did change something
        Assert.Equal(StatusCode.FailedPrecondition, changed.StatusCode);
        Assert.Equal($"template {Template} version 1 is published and cannot change or be removed; publish version 2 instead, or deprecate it (resolver template deprecate)", changed.Status.Detail);
        Assert.Equal(StatusCode.FailedPrecondition, removed.StatusCode);
        Assert.Equal(current.Version, (await _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = Template }, cancellationToken: Ct)).Version);
    }

    [Fact]
    public async Task Publish_PastTheVersionBound_IsRefused()
    {
        // A template's record keeps every version, each compiled when declared: their number is bounded.
        const string Small = """{"index": 2001, "code": "x", "dataType": "string"}""";
        await new Registry.RegistryClient(_server.As(_acme)).CreateRecordAsync(
            new CreateRecordRequest { Identifier = "88.168.1/TPL.MANY", Values = { Definitions(Definition(1, Small).Replace(Template, "88.168.1/TPL.MANY", StringComparison.Ordinal)) } }, cancellationToken: Ct);
        for (var version = 2; version <= Core.Templates.TemplateCompiler.MaxVersions; version++)
        {
            await new Registry.RegistryClient(_server.As(_acme)).UpdateRecordAsync(
                new UpdateRecordRequest { Identifier = "88.168.1/TPL.MANY", Values = { Definitions(Definition(version, Small).Replace(Template, "88.168.1/TPL.MANY", StringComparison.Ordinal)) } }, cancellationToken: Ct);
        }

        var refused = await Assert.ThrowsAsync<RpcException>(() => new Registry.RegistryClient(_server.As(_acme)).UpdateRecordAsync(
            new UpdateRecordRequest { Identifier = "88.168.1/TPL.MANY", Values = { Definitions(Definition(Core.Templates.TemplateCompiler.MaxVersions + 1, Small).Replace(Template, "88.168.1/TPL.MANY", StringComparison.Ordinal)) } }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains($"would hold more than {Core.Templates.TemplateCompiler.MaxVersions} versions", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishedTemplate_Delete_IsRefusedSayingToDeprecateIt()
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() => _server.Registry.DeleteRecordAsync(new DeleteRecordRequest { Identifier = Template }, cancellationToken: Ct).ResponseAsync);
        using var http = new HttpClient { BaseAddress = new Uri(_server.HttpAddress) };
        using var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/handles/{Template}");
        delete.Headers.Authorization = new("Bearer", TestServer.AdminToken);
        using var restAnswer = await http.SendAsync(delete, Ct);

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Equal($"template {Template} has published versions (1), which records here and at other nodes may declare; a published template is never deleted: deprecate it instead (resolver template deprecate {Template})", refused.Status.Detail);
        Assert.False(restAnswer.IsSuccessStatusCode);
        Assert.Single((await _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = Template }, cancellationToken: Ct)).Values, v => v.Type == "TEMPLATE_DEFINITION");
    }

    [Fact]
    public async Task Publish_InvalidDefinitionOrUnderAnotherIdentifier_IsRefusedListingTheProblems()
    {
        var invalid = Definition(3, """
            {"index": 2001, "code": "a", "dataType": "number", "min": 5, "max": 1},
            {"index": 2001, "code": "b", "dataType": "string", "pattern": "(x)\\1"},
            {"index": 1500, "code": "c", "dataType": "colour"}
            """);
        var elsewhere = Version1.Replace(Template, "88.168/TPL.OTHER", StringComparison.Ordinal).Replace("\"version\": 1", "\"version\": 3", StringComparison.Ordinal);

        var refused = await Assert.ThrowsAsync<RpcException>(() => AddDefinitionAsync(_server, invalid));
        var misplaced = await Assert.ThrowsAsync<RpcException>(() => AddDefinitionAsync(_server, elsewhere));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.StartsWith($"template {Template}@3 is not valid: ", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("item a: min 5 is above max 1", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("item b: index 2001 is taken by another item", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("item b: pattern \"(x)\\1\" does not compile", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("item c: index 1500 is below 2001", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("item c: dataType \"colour\" is not one of", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("defines template 88.168/TPL.OTHER; a template's definitions are published at its own identifier", misplaced.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_UnderTheIndustryPrefix_ByAnEnterprise_IsDenied()
    {
        var denied = await Assert.ThrowsAsync<RpcException>(() => new Registry.RegistryClient(_server.As(_acme)).CreateRecordAsync(
            new CreateRecordRequest { Identifier = "88.168/TPL.MINE", Values = { Definitions(Version1.Replace(Template, "88.168/TPL.MINE", StringComparison.Ordinal)) } }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
    }

    [Fact]
    public async Task DeprecatedVersion_RefusesNewRecords_ButRecordsOnItStillUpdate()
    {
        await AcmeRegistry.CreateRecordAsync(Part("88.168.1/D-1", Conforming()), cancellationToken: Ct);
        await _server.Registry.UpdateRecordAsync(new UpdateRecordRequest { Identifier = Template, Values = { new Value { Type = "TEMPLATE_DEPRECATED", Data = new ValueData { Text = "1" } } } }, cancellationToken: Ct);

        var refused = await Assert.ThrowsAsync<RpcException>(() => AcmeRegistry.CreateRecordAsync(Part("88.168.1/D-2", Conforming()), cancellationToken: Ct).ResponseAsync);
        var updated = await AcmeRegistry.UpdateRecordAsync(new UpdateRecordRequest { Identifier = "88.168.1/D-1", Values = { Item(2004, "grade", "B") } }, cancellationToken: Ct);

        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.StartsWith($"template {Template}@1 is deprecated", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(2, updated.Version);
    }

    [Fact]
    public async Task Federation_ARecursiveNodeValidatesARegistration_AgainstATemplateHomedAtAnotherNode()
    {
        // The secondary node (this test's _server) homes 88.168 and its template; the enterprise node homes 88.168.1 and
        // knows 88.168 only as a delegation to the secondary node, from which it reads the template.
        await using var enterprise = await TestServer.StartAsync("--recursive", "true");
        await enterprise.Admin.HomePrefixAsync(new HomePrefixRequest { Prefix = "88.168.1" }, cancellationToken: Ct);
        await FederationTests.DelegateAsync(enterprise, "88.168", _server.GrpcAddress);

        var created = await enterprise.Registry.CreateRecordAsync(Part("88.168.1/F-1", Conforming()), cancellationToken: Ct);
        var refused = await Assert.ThrowsAsync<RpcException>(() => enterprise.Registry.CreateRecordAsync(
            Part("88.168.1/F-2", Conforming().Where(v => v.Type != "grade").Append(Item(2004, "grade", "Z"))), cancellationToken: Ct).ResponseAsync);
        var notPublished = await Assert.ThrowsAsync<RpcException>(() => enterprise.Registry.CreateRecordAsync(
            Part("88.168.1/F-3", Conforming(), $"{Template}@9"), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(1, created.Version);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("item grade (index 2004): \"Z\" is not one of A, B, C", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal((StatusCode.FailedPrecondition, $"template {Template} has no published version 9; its versions: 1"), (notPublished.StatusCode, notPublished.Status.Detail));
    }

    private Registry.RegistryClient AcmeRegistry => new(_server.As(_acme));

    /// <summary>A template definition of <see cref="Template"/> at <paramref name="version"/> with <paramref name="items"/> (JSON array members).</summary>
    internal static string Definition(int version, string items) =>
        $$"""{"identifier": "{{Template}}", "version": {{version}}, "names": {"zh": "零部件", "en": "Part"}, "industry": "C/38/382", "allowExtraItems": false, "items": [{{items}}]}""";

    /// <summary>Publishes <paramref name="definition"/> as the administrator: the template's record created, or the version added to it.</summary>
    internal static async Task PublishAsync(TestServer server, string definition)
    {
        try
        {
            await server.Registry.CreateRecordAsync(new CreateRecordRequest { Identifier = Template, Values = { Definitions(definition) } }, cancellationToken: Ct);
        }
        catch (RpcException exists) when (exists.StatusCode == StatusCode.AlreadyExists)
        {
            await AddDefinitionAsync(server, definition);
        }
    }

    private static async Task AddDefinitionAsync(TestServer server, string definition) =>
        await server.Registry.UpdateRecordAsync(new UpdateRecordRequest { Identifier = Template, Values = { Definitions(definition) } }, cancellationToken: Ct);

    // Each version at an index of its own (an update's index 0 would replace the template's first definition, refused as a change).
    private static Value Definitions(string definition)
    {
        using var json = System.Text.Json.JsonDocument.Parse(definition);
        return new() { Index = 10 + json.RootElement.GetProperty("version").GetInt32(), Type = "TEMPLATE_DEFINITION", Data = new ValueData { Text = definition } };
    }

    internal static IEnumerable<Value> Conforming() =>
    [
        Item(2001, "manufacturer", "Acme"),
        Item(2002, "weight", "12.5"),
        Item(2003, "produced", "2026-01-02"),
        Item(2004, "grade", "A"),
        Item(2005, "lot", "88.168.1/LOT-7"),
    ];

    internal static CreateRecordRequest Part(string identifier, IEnumerable<Value> values, string reference = $"{Template}@1") =>
        new() { Identifier = identifier, Values = { values.Prepend(Reference(reference)) } };

    private static Value Reference(string reference) => new() { Index = 1001, Type = "TEMPLATE", Data = new ValueData { Text = reference } };

    internal static Value Item(int index, string code, string text) => new() { Index = index, Type = code, Data = new ValueData { Text = text } };

    private static int IndexOf(string code) => Conforming().Single(v => v.Type == code).Index;

    private async Task AssertMissingAsync(string identifier)
    {
        var missing = await Assert.ThrowsAsync<RpcException>(() => _server.Registry.GetRecordAsync(new GetRecordRequest { Identifier = identifier }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }
}
