using System.Text.RegularExpressions;

namespace Resolver.Deployment.Tests;

/// <summary>
/// The Dockerfile cannot be built here (no container engine); these checks keep it consistent with the
/// repository and the manifests instead: the files it copies exist and are not ignored, its user is the one
/// the pods run as, its settings are real settings, and it leaves health to Kubernetes.
/// </summary>
public sealed partial class DockerfileTests
{
    private static readonly string Root = Manifests.RepositoryRoot;

    private static readonly string[] Lines = File.ReadAllLines(Path.Combine(Root, "Dockerfile"));

    private static IEnumerable<string> Instructions(string keyword) =>
        Lines.Where(l => l.StartsWith(keyword + " ", StringComparison.Ordinal)).Select(l => l[(keyword.Length + 1)..].Trim());

    // The instructions of the last stage (the image that ships).
    private static List<string> FinalStage => [.. Lines.SkipWhile((_, i) => i <= Array.FindLastIndex(Lines, l => l.StartsWith("FROM ", StringComparison.Ordinal)))];

    [Fact]
    public async Task Dockerfile_FinalStage_RunsAsTheServerPodsNumericNonRootUser()
    {
        var user = Assert.Single(FinalStage, l => l.StartsWith("USER ", StringComparison.Ordinal))["USER ".Length..].Trim();
        var rendering = await Manifests.RenderAsync(Manifests.Base);

        Assert.True(long.TryParse(user, out var uid) && uid > 0, $"USER {user}: must be a numeric non-root uid, so that runAsNonRoot can check it");
        Assert.Equal(rendering.Server.PodSpec()["securityContext"]!["runAsUser"].Number(), uid);
    }

    [Fact]
    public void Dockerfile_Anywhere_LeavesHealthToKubernetesProbes()
    {
        Assert.Empty(Instructions("HEALTHCHECK"));
        Assert.Single(FinalStage, l => l.StartsWith("ENTRYPOINT ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dockerfile_Environment_NamesRealSettingsAndTheManifestsDataDirectory()
    {
        var settings = ServerTables.Settings.Select(s => s.Variable).ToHashSet();
        var variables = SettingVariable().Matches(string.Join('\n', Lines)).Select(m => (Name: m.Groups[1].Value, Value: m.Groups[2].Value)).ToList();
        var configMap = (await Manifests.RenderAsync(Manifests.Base)).Settings;

        Assert.NotEmpty(variables);
        Assert.All(variables, v => Assert.Contains(v.Name, settings));
        Assert.Equal(configMap["RESOLVER_DATA_DIR"].Str(), variables.Single(v => v.Name == "RESOLVER_DATA_DIR").Value);
    }

    [Fact]
    public void Dockerfile_CopiesFromTheContext_OnlyFilesThatExistAndAreNotIgnored()
    {
        var ignored = File.ReadAllLines(Path.Combine(Root, ".dockerignore"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.TrimEnd('/'))
            .ToList();
        var violations = new List<string>();

        foreach (var copy in Instructions("COPY").Where(c => !c.StartsWith("--from", StringComparison.Ordinal)))
        {
            var parts = copy.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var source in parts[..^1])
            {
                var path = source.TrimEnd('/');
                if (!File.Exists(Path.Combine(Root, path)) && !Directory.Exists(Path.Combine(Root, path)))
                {
                    violations.Add($"COPY {source}: no such file in the repository");
                }

                if (ignored.Any(pattern => pattern == path || (pattern.StartsWith("**/", StringComparison.Ordinal) && path.Split('/').Contains(pattern[3..]))))
                {
                    violations.Add($"COPY {source}: excluded by .dockerignore");
                }
            }
        }

        // Every project the server and CLI build from is copied before the restore.
        foreach (var project in Directory.GetFiles(Path.Combine(Root, "src"), "*.csproj", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Root, project).Replace('\\', '/');
            if (!Instructions("COPY").Any(c => c.StartsWith(relative + " ", StringComparison.Ordinal)))
            {
                violations.Add($"{relative} is not copied before `dotnet restore`");
            }
        }

        Violations.None(violations);
    }

    [GeneratedRegex(@"\b(RESOLVER_[A-Z0-9_]+)=(\S+)")]
    private static partial Regex SettingVariable();
}
