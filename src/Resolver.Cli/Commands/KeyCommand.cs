using System.CommandLine;
using Resolver.Protocol.V1;

namespace Resolver.Cli.Commands;

/// <summary><c>resolver key create [--enterprise NAME]</c> and <c>resolver key revoke KEY-ID</c>.</summary>
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

        return new Command("key", "issue and revoke API keys") { create, revoke };
    }
}
