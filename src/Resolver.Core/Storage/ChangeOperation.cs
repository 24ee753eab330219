namespace Resolver.Core.Storage;

/// <summary>What a committed write did, as recorded in the change log.</summary>
public enum ChangeOperation
{
    Create = 1,
    Update = 2,
    Delete = 3,
}
