namespace Resolver.Core.Storage;

/// <summary>What a committed write did, as recorded in the change log.</summary>
public enum ChangeOperation
{
    Create = 1,
    Update = 2,
    Delete = 3,
}

/// <summary>Reading <see cref="ChangeOperation"/> back from the log.</summary>
public static class ChangeOperations
{
    /// <summary>
    /// The operation a log row names; an operation this version does not know (written by a newer replica during a
    /// rolling upgrade) reads as an update: the feed needs only the key and the version to invalidate.
    /// </summary>
    public static ChangeOperation Parse(string name) =>
        Enum.TryParse<ChangeOperation>(name, ignoreCase: true, out var operation) && Enum.IsDefined(operation) ? operation : ChangeOperation.Update;
}
