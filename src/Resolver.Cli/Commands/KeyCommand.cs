using System.CommandLine;
using Resolver.Cli.Output;
using Resolver.Protocol.V1;

namespace Resolver.Cli.Commands;

/// <summary><c>resolver key create [--enterprise NAME]</c>, <c>key list [--enterprise NAME] [--revoked] [--before KEY-ID]</c> and <c>key revoke KEY-ID</c>.</summary>
internal static class KeyCommand
{
    public static Command Create(CommandRunner runner)
    {
        var enterprise = new Option<string?>("--enterprise") { Description = "whose key (default: the caller's own enterprise; the administrator names one)" };
        var create = new Command("create", "issue another API key (for rotation); printed only once") { enterprise };
        runner.SetAction(create, async (context, parse, cancellationToken) =>
        {
            var response = await context.Admin.CreateApiKeyAsync(new CreateApiKeyRequest { Enterprise = parse.GetValue(enterprise) ?? "" }, context.Call(cancellationToken)).ConfigureAwait(false);
            if (context.Format == OutputFormat.Json)
            {
                context.Printer.JsonLine(response);
            }
            else
            {
                context.Printer.Line($"API key for {response.Enterprise} (shown only now): {response.ApiKey}");
                context.Printer.Line($"key id (to revoke it): {response.KeyId}");
            }

            return ExitCodes.Ok;
        });

        var keyId = new Argument<string>("KEY-ID") { Description = "the key id printed when the key was issued" };
        var revoke = new Command("revoke", "revoke an API key; calls with it are refused from then on") { keyId };
        runner.SetAction(revoke, async (context, parse, cancellationToken) =>
        {
            var response = await context.Admin.RevokeApiKeyAsync(new RevokeApiKeyRequest { KeyId = parse.GetValue(keyId)! }, context.Call(cancellationToken)).ConfigureAwait(false);
            if (context.Format == OutputFormat.Json)
            {
                context.Printer.JsonLine(response);
            }
            else
            {
                context.Printer.Line($"revoked key {response.KeyId}");
            }

            return ExitCodes.Ok;
        });

        var listEnterprise = new Option<string?>("--enterprise") { Description = "whose keys (default: the caller's own enterprise; the administrator names one)" };
        var revoked = new Option<bool>("--revoked") { Description = "list revoked keys too" };
        var before = new Option<string?>("--before") { Description = "only keys older than this key id (the last one of the previous page)" };
        var list = new Command("list", "list API keys, newest first, a page at a time: ids and dates, never the keys") { listEnterprise, revoked, before };
        runner.SetAction(list, async (context, parse, cancellationToken) =>
        {
            var request = new ListApiKeysRequest { Enterprise = parse.GetValue(listEnterprise) ?? "", IncludeRevoked = parse.GetValue(revoked), BeforeKeyId = parse.GetValue(before) ?? "" };
            var response = await context.Admin.ListApiKeysAsync(request, context.Call(cancellationToken)).ConfigureAwait(false);
            if (context.Format == OutputFormat.Json)
            {
                foreach (var key in response.Keys)
                {
                    context.Printer.JsonLine(key);
                }
            }
            else
            {
                context.Printer.Table(["Key id", "Enterprise", "Issued", "Revoked"], response.Keys.Select(k => (IReadOnlyList<string>)
                    [k.KeyId, k.Enterprise, Printer.Time(k.CreatedAt), k.RevokedAt is null ? "" : Printer.Time(k.RevokedAt)]));
            }

            if (response.More)
            {
                context.Error.WriteLine($"older keys follow: run the same command with --before {response.Keys[^1].KeyId}");
            }

            return ExitCodes.Ok;
        });

        return new Command("key", "issue, list and revoke API keys") { create, list, revoke };
    }
}
