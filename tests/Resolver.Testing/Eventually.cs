namespace Resolver.Testing;

/// <summary>Waits for a condition with a deadline (never a fixed sleep as synchronisation).</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, TimeSpan deadline, string failure)
    {
        var until = DateTime.UtcNow + deadline;
        while (!condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"{failure} (waited {deadline.TotalSeconds:0.#} s)");
            }

            await Task.Delay(10);
        }
    }

    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan deadline, string failure)
    {
        var until = DateTime.UtcNow + deadline;
        while (!await condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"{failure} (waited {deadline.TotalSeconds:0.#} s)");
            }

            await Task.Delay(10);
        }
    }
}
