using Resolver.Cli;

return await ResolverCli.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
