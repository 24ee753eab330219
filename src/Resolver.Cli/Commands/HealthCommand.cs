using System.CommandLine;
using Grpc.Health.V1;

namespace Resolver.Cli.Commands;

/// <summary><c>resolver health</c>: liveness and per-service readiness from grpc.health.v1.</summary>
internal static class HealthCommand
{
    private static readonly string[] Services = ["", "resolver.v1.Resolution", "resolver.v1.Registry", "resolver.v1.Admin"];

    public static Command Create(CommandRunner runner)
    {
        var command = new Command("health", "show whether the server is live and which services are ready; exit 0 only when all serve");
        runner.SetAction(command, async (context, _, cancellationToken) =>
        {
            var client = new Health.HealthClient(context.Channel);
            var statuses = new List<(string Service, string Status)>();
            foreach (var service in Services)
            {
                var response = await client.CheckAsync(new HealthCheckRequest { Service = service }, context.Call(cancellationToken)).ConfigureAwait(false);
                statuses.Add((service, StatusText(response.Status)));
            }

            var serving = statuses.All(s => s.Status == "SERVING");
            if (context.Format == OutputFormat.Json)
            {
                var response = new Google.Protobuf.WellKnownTypes.Struct();
                response.Fields["server"] = Google.Protobuf.WellKnownTypes.Value.ForString(context.Server);
                response.Fields["serving"] = Google.Protobuf.WellKnownTypes.Value.ForBool(serving);
                var services = new Google.Protobuf.WellKnownTypes.Struct();
                foreach (var (service, status) in statuses)
                {
                    services.Fields[service.Length == 0 ? "liveness" : service] = Google.Protobuf.WellKnownTypes.Value.ForString(status);
                }

                response.Fields["services"] = Google.Protobuf.WellKnownTypes.Value.ForStruct(services);
                context.Printer.JsonLine(response);
            }
            else
            {
                context.Printer.Line($"{context.Server}: {(serving ? "SERVING" : "NOT SERVING")}");
                context.Printer.Table(["Service", "Status"], statuses.Select(s => (IReadOnlyList<string>)[s.Service.Length == 0 ? "(liveness)" : s.Service, s.Status]));
            }

            return serving ? ExitCodes.Ok : ExitCodes.Unavailable;
        });
        return command;
    }

    private static string StatusText(HealthCheckResponse.Types.ServingStatus status) => status switch
    {
        HealthCheckResponse.Types.ServingStatus.Serving => "SERVING",
        HealthCheckResponse.Types.ServingStatus.NotServing => "NOT_SERVING",
        HealthCheckResponse.Types.ServingStatus.ServiceUnknown => "SERVICE_UNKNOWN",
        _ => "UNKNOWN",
    };
}
