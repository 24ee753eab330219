using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Resolver.Benchmarks.ResolutionBenchmarks).Assembly).Run(args);
