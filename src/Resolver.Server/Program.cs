using Resolver.Server;

return await ResolverHost.RunAsync(args).ConfigureAwait(false);
