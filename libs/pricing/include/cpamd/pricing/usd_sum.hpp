#pragma once

// A sum of many costs that stays exact to the last cent fraction: Neumaier's compensated sum.
// Plain double addition over millions of slices drifts by many ulps of the total (a range of a
// few hundred thousand dollars would be off by more than 1e-9 USD); the compensation keeps the
// error near one ulp, whatever the order the slices come in.

namespace cpamd::pricing
{

class usd_sum
{
public:
    usd_sum& operator+=(double v) noexcept
    {
        double t = sum_ + v;
        // The low-order bits lost by this addition, from whichever operand is larger.
        if ((sum_ >= 0 ? sum_ : -sum_) >= (v >= 0 ? v : -v))
            compensation_ += (sum_ - t) + v;
        else
            compensation_ += (v - t) + sum_;
        sum_ = t;
        return *this;
    }
    double value() const noexcept { return sum_ + compensation_; }

private:
    double sum_ = 0;
    double compensation_ = 0;
};

} // namespace cpamd::pricing
