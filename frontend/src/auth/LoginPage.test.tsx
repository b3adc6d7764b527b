import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { LoginPage } from "./LoginPage";
import { LoginError } from "./session";

afterEach(cleanup);

function fill(email: string, password: string) {
  fireEvent.change(screen.getByLabelText("Email"), { target: { value: email } });
  fireEvent.change(screen.getByLabelText("Password"), { target: { value: password } });
}

async function submit() {
  await act(async () => {
    fireEvent.click(screen.getByRole("button", { name: "Log in" }));
  });
}

describe("LoginPage", () => {
  it("has labelled inputs, focuses the email and submits with Enter", async () => {
    const onLogin = vi.fn(async () => {});
    render(<LoginPage onLogin={onLogin} />);
    expect(document.activeElement).toBe(screen.getByLabelText("Email"));
    fill("  ada@lab.org ", "s3cret-pass");
    await act(async () => {
      fireEvent.submit(screen.getByLabelText("Password").closest("form")!);
    });
    expect(onLogin).toHaveBeenCalledWith("ada@lab.org", "s3cret-pass", undefined);
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("says 'wrong email or password' on a 401, clears and focuses the password", async () => {
    const onLogin = vi.fn(async () => {
      throw new LoginError("Wrong email or password.", 401);
    });
    render(<LoginPage onLogin={onLogin} />);
    fill("ada@lab.org", "wrong");
    await submit();
    expect(screen.getByRole("alert").textContent).toBe("Wrong email or password.");
    const password = screen.getByLabelText("Password") as HTMLInputElement;
    expect(password.value).toBe("");
    expect(document.activeElement).toBe(password);
    expect((screen.getByLabelText("Email") as HTMLInputElement).value).toBe("ada@lab.org");
    expect(password.getAttribute("aria-invalid")).toBe("true");
  });

  it("says how long to wait on a 429", async () => {
    const onLogin = vi.fn(async () => {
      throw new LoginError("Too many attempts: retry in 37 s.", 429, 37);
    });
    render(<LoginPage onLogin={onLogin} />);
    fill("ada@lab.org", "again");
    await submit();
    expect(screen.getByRole("alert").textContent).toContain("retry in 37 s");
  });

  it("asks for both fields before calling the server", async () => {
    const onLogin = vi.fn(async () => {});
    render(<LoginPage onLogin={onLogin} />);
    await submit();
    expect(onLogin).not.toHaveBeenCalled();
    expect(screen.getByRole("alert").textContent).toMatch(/email address and password/);
  });

  it("passes the optional organisation and shows a notice", async () => {
    const onLogin = vi.fn(async () => {});
    render(<LoginPage onLogin={onLogin} notice="Your session has ended. Please log in again." />);
    expect(screen.getByRole("status").textContent).toMatch(/session has ended/);
    fill("ada@lab.org", "pw");
    fireEvent.change(screen.getByLabelText("Organisation (optional)"), { target: { value: "my-lab" } });
    await submit();
    expect(onLogin).toHaveBeenCalledWith("ada@lab.org", "pw", "my-lab");
  });
});
