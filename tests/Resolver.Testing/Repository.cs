namespace Resolver.Testing;

/// <summary>Files of the repository the tests run from (docs that tests keep true).</summary>
public static class Repository
{
    /// <summary>The directory holding Resolver.sln, found above the test binaries.</summary>
    public static string Root()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Resolver.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Resolver.sln not found above the test binaries");
    }

    /// <summary>The text of a file, by its path relative to the root.</summary>
    public static string Read(params string[] path) => File.ReadAllText(Path.Combine([Root(), .. path]));
}
